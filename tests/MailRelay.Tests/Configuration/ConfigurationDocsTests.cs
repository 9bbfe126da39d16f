using MailRelay.Configuration;
using MailRelay.Tests.Support;

namespace MailRelay.Tests.Configuration;

/// <summary>Holds docs/configuration.md and the registry in step: a variable in one but not the other fails.</summary>
public class ConfigurationDocsTests
{
    private const string TableHeader = "| variable | type | default | meaning |";

    [Fact]
    public void The_docs_table_lists_exactly_the_registry_variables_in_order()
    {
        var rows = ReadTable();

        Assert.Equal(ConfigurationRegistry.Variables.Select(v => v.Name), rows.Select(r => r.Name));
    }

    [Fact]
    public void The_docs_table_shows_each_variables_type_and_default()
    {
        var rows = ReadTable().ToDictionary(r => r.Name);

        Assert.All(ConfigurationRegistry.Variables, variable =>
        {
            Assert.True(rows.TryGetValue(variable.Name, out var row), $"{variable.Name} is missing from the docs");
            Assert.Equal(variable.Type, row.Type);
            Assert.Equal(variable.Default, row.Default);
            Assert.False(string.IsNullOrWhiteSpace(row.Meaning), $"{variable.Name} has no meaning in the docs");
        });
    }

    [Fact]
    public void Literal_defaults_in_the_docs_are_code_spans()
    {
        var cells = ReadTable(stripBackticks: false).ToDictionary(r => r.Name.Trim('`'));

        Assert.All(
            ConfigurationRegistry.Variables.Where(v => v.LiteralDefault is not null),
            variable => Assert.Equal($"`{variable.LiteralDefault}`", cells[variable.Name].Default));
    }

    private static List<(string Name, string Type, string Default, string Meaning)> ReadTable(bool stripBackticks = true)
    {
        var lines = File.ReadAllLines(Path.Combine(RepositoryRoot.Find(), "docs", "configuration.md"));
        var header = Array.IndexOf(lines, TableHeader);
        Assert.True(header >= 0, $"docs/configuration.md has no table starting with '{TableHeader}'");
        Assert.StartsWith("|---", lines[header + 1], StringComparison.Ordinal);

        var rows = new List<(string, string, string, string)>();
        foreach (var line in lines.Skip(header + 2).TakeWhile(l => l.StartsWith('|')))
        {
            var cells = line.Trim().Trim('|').Split('|').Select(c => c.Trim()).ToArray();
            Assert.True(cells.Length == 4, $"row with {cells.Length} cells instead of 4: {line}");
            string Clean(string cell) => stripBackticks ? cell.Replace("`", string.Empty, StringComparison.Ordinal) : cell;
            rows.Add((cells[0].Trim('`'), Clean(cells[1]), Clean(cells[2]), cells[3]));
        }

        return rows;
    }
}
