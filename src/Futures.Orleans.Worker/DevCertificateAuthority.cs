using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
namespace Futures.Orleans.Worker;

/// <summary>A throwaway certificate authority for trying mutual TLS on one machine (demos, tests): it issues node and client certificates and writes them where <c>futures-worker</c> reads them. Disposing deletes the files.</summary>
/// <remarks>Not for production: its keys sit unprotected in a temp folder. A real deployment takes its certificates from its own CA.</remarks>
public sealed class DevCertificateAuthority : IDisposable
{
    private DevCertificateAuthority(string name)
    {
        Folder = Directory.CreateTempSubdirectory("futures-tls-").FullName;
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: true, hasPathLengthConstraint: false, 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, critical: true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        Ca = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-2), DateTimeOffset.UtcNow.AddDays(30));
        CaPem = Path.Combine(Folder, "ca.pem");
        File.WriteAllText(CaPem, Ca.ExportCertificatePem());
    }

    /// <summary>Makes a CA named <paramref name="name"/> (<c>CN=...</c>), valid for 30 days, and its folder under the temp folder.</summary>
    /// <param name="name">The CA's common name.</param>
    /// <returns>The CA.</returns>
    public static DevCertificateAuthority Create(string name = "futures-dev-ca") => new(name);

    /// <summary>Where the files are, e.g. <c>/tmp/futures-tls-x1y2/</c>.</summary>
    public string Folder { get; }

    /// <summary>The CA certificate, with its key.</summary>
    public X509Certificate2 Ca { get; }

    /// <summary>The CA certificate as PEM: the value of <c>--tls-client-ca</c>.</summary>
    public string CaPem { get; }

    /// <summary>Issues a certificate for server and client authentication (a node is both), with its key, valid for 7 days.</summary>
    /// <param name="name">Its common name.</param>
    /// <returns>The certificate.</returns>
    public X509Certificate2 Issue(string name)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], critical: false));
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName("localhost");
        san.AddIpAddress(System.Net.IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        byte[] serial = RandomNumberGenerator.GetBytes(16);
        using X509Certificate2 issued = request.Create(Ca, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(7), serial);
        using X509Certificate2 withKey = issued.CopyWithPrivateKey(key);
        // Through PKCS#12, as a node loads it: an ephemeral key cannot sign a TLS handshake on every platform.
        return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
    }

    /// <summary>Issues a certificate and writes it with its key as <c>{name}.pfx</c>: the value of <c>--tls-certificate</c>.</summary>
    /// <param name="name">Its common name and file name.</param>
    /// <returns>The file's path.</returns>
    public string IssuePfx(string name)
    {
        using X509Certificate2 certificate = Issue(name);
        string path = Path.Combine(Folder, name + ".pfx");
        File.WriteAllBytes(path, certificate.Export(X509ContentType.Pkcs12));
        return path;
    }

    /// <summary>A client's TLS settings: a certificate from this CA, and trust in <paramref name="nodesCa"/> (the CA of the nodes it connects to).</summary>
    /// <param name="name">The certificate's common name.</param>
    /// <param name="nodesCa">The CA of the nodes.</param>
    /// <returns>The settings, for <c>UseTls(tls.Certificate, tls.Configure)</c> on the client builder.</returns>
    public NodeTls ClientTls(string name, DevCertificateAuthority nodesCa) => new(Issue(name), [nodesCa.Ca]);

    /// <summary>Deletes the files.</summary>
    public void Dispose()
    {
        Ca.Dispose();
        Directory.Delete(Folder, recursive: true);
    }
}
