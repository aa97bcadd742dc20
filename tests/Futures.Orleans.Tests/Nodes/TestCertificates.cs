using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Futures.Orleans.Worker;

namespace Futures.Orleans.Tests.Nodes;

/// <summary>A CA made for one test, and the certificates it issues, written where <c>futures-worker</c> reads them; disposing deletes the files.</summary>
public sealed class TestCertificates : IDisposable
{
    private TestCertificates(string name)
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

    /// <summary>A CA, e.g. <c>CN=futures-test-ca</c>, and its folder.</summary>
    public static TestCertificates CreateCa(string name = "futures-test-ca") => new(name);

    public string Folder { get; }

    /// <summary>The CA certificate, with its key.</summary>
    public X509Certificate2 Ca { get; }

    /// <summary>The CA certificate as PEM: the value of <c>--tls-client-ca</c>.</summary>
    public string CaPem { get; }

    /// <summary>Issues a certificate for server and client authentication (a node is both), with its key.</summary>
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
    public string IssuePfx(string name)
    {
        using X509Certificate2 certificate = Issue(name);
        string path = Path.Combine(Folder, name + ".pfx");
        File.WriteAllBytes(path, certificate.Export(X509ContentType.Pkcs12));
        return path;
    }

    /// <summary>A client's TLS settings: its certificate from this CA, and trust in <paramref name="nodesCa"/> (the CA of the nodes it connects to).</summary>
    public NodeTls ClientTls(string name, TestCertificates nodesCa) => new(Issue(name), [nodesCa.Ca]);

    public void Dispose()
    {
        Ca.Dispose();
        Directory.Delete(Folder, recursive: true);
    }
}
