using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Orleans.Connections.Security;

namespace Futures.Orleans.Worker;

/// <summary>Mutual TLS for a node or a client: present a certificate, accept only peers whose certificate chains to a given CA.</summary>
/// <remarks>
/// A node runs the code clients send, so its gateway must admit trusted clients only: both sides
/// require a certificate (<see cref="RemoteCertificateMode.RequireCertificate"/>, for silo and client
/// connections alike) and check it against the CA alone, never the machine's trust store. Names are
/// not checked: the CA vouches for the peer, wherever it connects from.
/// </remarks>
public sealed class NodeTls
{
    /// <summary>Makes the settings.</summary>
    /// <param name="certificate">This side's certificate, with its private key.</param>
    /// <param name="trusted">The CA certificates a peer's certificate must chain to.</param>
    public NodeTls(X509Certificate2 certificate, X509Certificate2Collection trusted)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        ArgumentNullException.ThrowIfNull(trusted);
        if (!certificate.HasPrivateKey) throw new ArgumentException("The certificate has no private key.", nameof(certificate));
        if (trusted.Count == 0) throw new ArgumentException("No CA certificate to trust.", nameof(trusted));
        Certificate = certificate;
        Trusted = trusted;
    }

    /// <summary>The environment variable that holds the password of the PKCS#12 file, if it has one.</summary>
    public const string PasswordVariable = "FUTURES_TLS_PASSWORD";

    /// <summary>This side's certificate, with its private key.</summary>
    public X509Certificate2 Certificate { get; }

    /// <summary>The CA certificates a peer's certificate must chain to.</summary>
    public X509Certificate2Collection Trusted { get; }

    /// <summary>Loads the settings of <c>--tls-certificate FILE.pfx --tls-client-ca FILE.pem</c>.</summary>
    /// <param name="pfxPath">A PKCS#12 file with the certificate and its key; its password, if any, in <see cref="PasswordVariable"/>.</param>
    /// <param name="caPemPath">A PEM file of one or more CA certificates.</param>
    /// <returns>The settings.</returns>
    public static NodeTls Load(string pfxPath, string caPemPath)
    {
        X509Certificate2 certificate = X509CertificateLoader.LoadPkcs12FromFile(pfxPath, Environment.GetEnvironmentVariable(PasswordVariable));
        var trusted = new X509Certificate2Collection();
        trusted.ImportFromPemFile(caPemPath);
        return new NodeTls(certificate, trusted);
    }

    /// <summary>Applies the settings to Orleans' TLS options (<c>UseTls</c> of a silo or a client builder).</summary>
    /// <param name="options">The options to set.</param>
    public void Configure(TlsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.LocalCertificate = Certificate;
        options.RemoteCertificateMode = RemoteCertificateMode.RequireCertificate;
        options.ClientCertificateMode = RemoteCertificateMode.RequireCertificate;
        options.RemoteCertificateValidation = IsTrusted;
    }

    /// <summary>Whether <paramref name="certificate"/> chains to one of <see cref="Trusted"/>; the platform's verdict (made against the machine's store) is not used.</summary>
    /// <param name="certificate">The peer's certificate.</param>
    /// <param name="chain">The platform's chain, unused.</param>
    /// <param name="errors">The platform's errors, unused.</param>
    /// <returns>True when the certificate is trusted.</returns>
    public bool IsTrusted(X509Certificate2 certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        using var own = new X509Chain();
        own.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        own.ChainPolicy.CustomTrustStore.AddRange(Trusted);
        own.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return own.Build(certificate);
    }
}
