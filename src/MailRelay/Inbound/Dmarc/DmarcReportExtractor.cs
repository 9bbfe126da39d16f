using System.IO.Compression;
using MimeKit;

namespace MailRelay.Inbound.Dmarc;

/// <summary>The compression a DMARC report attachment comes in (RFC 7489 §7.2.1.1: gzip or zip; plain XML occurs too).</summary>
public enum DmarcReportFormat
{
    Xml,
    Gzip,
    Zip,
}

/// <summary>
/// Finds the report attachment in a message and opens its XML, with bounds against decompression bombs: the
/// uncompressed XML may not exceed <see cref="MaxReportBytes"/> (counted as it is read, whatever an archive claims),
/// a zip archive <see cref="MaxArchiveBytes"/> and <see cref="MaxZipEntries"/> entries.
/// </summary>
public static class DmarcReportExtractor
{
    /// <summary>Most bytes of report XML, uncompressed: large providers' daily reports are well under 1 MiB.</summary>
    public const long MaxReportBytes = 16L << 20;

    /// <summary>Most bytes of a zip archive (held in memory to read its directory).</summary>
    public const long MaxArchiveBytes = 16L << 20;

    /// <summary>Most entries in a zip archive; a report archive holds one.</summary>
    public const int MaxZipEntries = 16;

    /// <summary>The first part that looks like a report attachment, with its format; null when there is none.</summary>
    public static (MimePart Part, DmarcReportFormat Format)? Find(MimeMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        foreach (var part in message.BodyParts.OfType<MimePart>())
        {
            if (FormatOf(part) is { } format)
            {
                return (part, format);
            }
        }

        return null;
    }

    public static DmarcReportFormat? FormatOf(MimePart part)
    {
        ArgumentNullException.ThrowIfNull(part);
        var type = part.ContentType.MimeType.ToLowerInvariant();
        var name = part.FileName?.ToLowerInvariant() ?? string.Empty;
        if (type is "application/gzip" or "application/x-gzip" || name.EndsWith(".gz", StringComparison.Ordinal))
        {
            return DmarcReportFormat.Gzip;
        }

        if (type is "application/zip" or "application/x-zip-compressed" or "application/x-zip" || name.EndsWith(".zip", StringComparison.Ordinal))
        {
            return DmarcReportFormat.Zip;
        }

        if (type is "text/xml" or "application/xml" || name.EndsWith(".xml", StringComparison.Ordinal))
        {
            return DmarcReportFormat.Xml;
        }

        return null;
    }

    /// <summary>Decodes, decompresses and parses the report; throws <see cref="DmarcReportException"/> when unusable.</summary>
    public static DmarcReport Read(MimePart part, DmarcReportFormat format)
    {
        ArgumentNullException.ThrowIfNull(part);
        if (part.Content is null)
        {
            throw new DmarcReportException("the attachment is empty");
        }

        try
        {
            using var decoded = part.Content.Open();
            switch (format)
            {
                case DmarcReportFormat.Gzip:
                    {
                        using var gzip = new GZipStream(decoded, CompressionMode.Decompress);
                        using var xml = new BoundedReadStream(gzip, MaxReportBytes);
                        return DmarcReportParser.Parse(xml);
                    }

                case DmarcReportFormat.Zip:
                    return ReadZip(decoded);

                default:
                    {
                        using var xml = new BoundedReadStream(decoded, MaxReportBytes);
                        return DmarcReportParser.Parse(xml);
                    }
            }
        }
        catch (InvalidDataException ex)
        {
            throw new DmarcReportException("broken compressed data: " + ex.Message, ex);
        }
    }

    private static DmarcReport ReadZip(Stream decoded)
    {
        using var archiveBytes = new MemoryStream();
        using (var bounded = new BoundedReadStream(decoded, MaxArchiveBytes))
        {
            bounded.CopyTo(archiveBytes);
        }

        archiveBytes.Position = 0;
        using var archive = new ZipArchive(archiveBytes, ZipArchiveMode.Read);
        if (archive.Entries.Count > MaxZipEntries)
        {
            throw new DmarcReportException($"the archive has {archive.Entries.Count} entries, more than {MaxZipEntries}");
        }

        var files = archive.Entries.Where(e => e.FullName.Length > 0 && !e.FullName.EndsWith('/')).ToArray();
        var entry = files.FirstOrDefault(e => e.FullName.EndsWith(".xml", StringComparison.OrdinalIgnoreCase))
            ?? (files.Length == 1 ? files[0] : throw new DmarcReportException("the archive holds no .xml file"));
        if (entry.Length > MaxReportBytes)
        {
            throw new DmarcReportException($"the report is {entry.Length} bytes uncompressed, more than {MaxReportBytes}");
        }

        using var content = entry.Open();
        using var xml = new BoundedReadStream(content, MaxReportBytes);
        return DmarcReportParser.Parse(xml);
    }
}
