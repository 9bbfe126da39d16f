using System.Globalization;
using MailRelay.Bench.Spool;

// Usage: dotnet run -c Release --project bench/spool -- [writers] [messages] [messageBytes] [dataDir]
// The data directory must be on the disk under test (not a tmpfs): fsync cost is what is measured.
var writers = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 20;
var messages = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 4000;
var messageBytes = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 4096;
var dataDirectory = Path.GetFullPath(args.Length > 3 ? args[3] : Path.Combine("bench", "results", "spool-data"));

Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"{writers} concurrent writers, {messages} messages of {messageBytes} bytes, data in {dataDirectory}"));
Console.WriteLine(SpoolLoadResult.Header);

// Interleaved: the file-per-message spool with and without group commit, and a segment log (SegmentLoad).
var load = new SpoolLoad(dataDirectory, writers, messages, messageBytes);
var segment = new SegmentLoad(dataDirectory, writers, messages, messageBytes);
await new SpoolLoad(dataDirectory, writers, Math.Min(messages, 500), messageBytes).RunAsync(256);
await new SegmentLoad(dataDirectory, writers, Math.Min(messages, 500), messageBytes).RunAsync();
for (var round = 0; round < 2; round++)
{
    Console.WriteLine((await load.RunAsync(256)).Format());
    Console.WriteLine((await segment.RunAsync()).Format());
    Console.WriteLine((await load.RunAsync(1)).Format());
}

Directory.Delete(dataDirectory, recursive: true);
