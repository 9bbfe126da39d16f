namespace MailRelay.Dkim;

/// <summary>
/// Where one domain's key lives: <c>&lt;DKIM_KEY_DIR&gt;/&lt;domain&gt;/&lt;selector&gt;.private</c> (PEM) and
/// <c>&lt;selector&gt;.txt</c> (the zone-file TXT record), the layout opendkim-genkey uses, so that
/// <c>find $DKIM_KEY_DIR -name "*.txt" -exec cat {} \;</c> prints every record to publish.
/// </summary>
public sealed record DkimKeyFiles(string Domain, string Selector, string DomainDirectory)
{
    public string PrivateKeyPath => Path.Combine(DomainDirectory, Selector + ".private");

    public string RecordPath => Path.Combine(DomainDirectory, Selector + ".txt");

    public static DkimKeyFiles For(string keyDirectory, string domain, string selector)
    {
        ArgumentNullException.ThrowIfNull(domain);
        return new DkimKeyFiles(domain, selector, Path.Combine(keyDirectory, domain));
    }
}
