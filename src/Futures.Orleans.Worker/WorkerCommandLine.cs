using System.Globalization;
using System.Net;

namespace Futures.Orleans.Worker;

/// <summary>The worker tool's flags.</summary>
internal sealed class WorkerCommandLine
{
    public const string Usage = """
        futures-worker: a Futures worker node (an Orleans silo that runs OrleansExecutor tasks).

          --silo-port N          port for silo-to-silo traffic (default 11111)
          --gateway-port N       port clients connect to (default 30000)
          --address IP           address this node advertises and listens on (default 127.0.0.1)
          --redis HOST:PORT      membership table in Redis (production): no node is special, any may die
          --primary HOST:PORT    without --redis: silo endpoint of the primary node, which holds the
                                 membership table (development only); omit on the primary itself
          --cluster-id ID        cluster id (default "futures"); --service-id ID likewise
          --tls-certificate FILE.pfx   mutual TLS: this node's certificate, with its key (PKCS#12;
                                 password, if any, in FUTURES_TLS_PASSWORD)
          --tls-client-ca FILE.pem     mutual TLS: only peers (clients, nodes) whose certificate
                                 chains to this CA may connect
          --insecure             allow a non-loopback --address without TLS (anyone who reaches
                                 the gateway can run code here)
          --name NAME            this node's name (default: worker-<pid>)
          --probe DIR            folder to load task assemblies from; repeatable
          --max-concurrency N    tasks run at once (default: processor count)
          --isolate              run each task in a child process
          --fast-failure-detection   declare a dead node in about a second (tests, one machine)
          --parent-pid PID       exit when that process exits (for whoever started this node)
        """;

    public int SiloPort { get; private set; } = 11111;
    public int GatewayPort { get; private set; } = 30000;
    public IPAddress Address { get; private set; } = IPAddress.Loopback;
    public IPEndPoint? Primary { get; private set; }
    public string? Redis { get; private set; }
    public string ClusterId { get; private set; } = "futures";
    public string ServiceId { get; private set; } = "futures";
    public string? Name { get; private set; }
    public List<string> ProbeFolders { get; } = [];
    public int MaxConcurrency { get; private set; } = Environment.ProcessorCount;
    public bool Isolate { get; private set; }
    public bool FastFailureDetection { get; private set; }
    public int? ParentPid { get; private set; }
    public string? TlsCertificate { get; private set; }
    public string? TlsClientCa { get; private set; }
    public bool Insecure { get; private set; }

    /// <summary>What the node should print before it starts: a non-loopback address without TLS, allowed by <c>--insecure</c>.</summary>
    public string? Warning =>
        TlsCertificate is null && !IPAddress.IsLoopback(Address)
            ? $"WARNING: --insecure: the node listens on {Address} without TLS; anyone who reaches its gateway port can run code on it."
            : null;

    /// <exception cref="ArgumentException">An unknown flag or a bad value; the message says which.</exception>
    public static WorkerCommandLine Parse(string[] args)
    {
        var c = new WorkerCommandLine();
        for (int i = 0; i < args.Length; i++)
        {
            string flag = args[i];
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{flag} needs a value.");
            int Int() => int.Parse(Value(), CultureInfo.InvariantCulture);
            switch (flag)
            {
                case "--silo-port": c.SiloPort = Int(); break;
                case "--gateway-port": c.GatewayPort = Int(); break;
                case "--address": c.Address = IPAddress.Parse(Value()); break;
                case "--primary": c.Primary = ParseEndpoint(flag, Value()); break;
                case "--redis": c.Redis = Value(); break;
                case "--cluster-id": c.ClusterId = Value(); break;
                case "--service-id": c.ServiceId = Value(); break;
                case "--name": c.Name = Value(); break;
                case "--probe": c.ProbeFolders.Add(Path.GetFullPath(Value())); break;
                case "--max-concurrency": c.MaxConcurrency = Int(); break;
                case "--isolate": c.Isolate = true; break;
                case "--fast-failure-detection": c.FastFailureDetection = true; break;
                case "--parent-pid": c.ParentPid = Int(); break;
                case "--tls-certificate": c.TlsCertificate = Path.GetFullPath(Value()); break;
                case "--tls-client-ca": c.TlsClientCa = Path.GetFullPath(Value()); break;
                case "--insecure": c.Insecure = true; break;
                default: throw new ArgumentException($"Unknown flag {flag}.");
            }
        }
        if (c.Redis is not null && c.Primary is not null) throw new ArgumentException("--primary and --redis exclude each other: with Redis no node is primary.");
        if ((c.TlsCertificate is null) != (c.TlsClientCa is null)) throw new ArgumentException("Mutual TLS takes both --tls-certificate and --tls-client-ca.");
        if (c.TlsCertificate is null && !IPAddress.IsLoopback(c.Address) && !c.Insecure)
        {
            throw new ArgumentException(
                $"Refusing to listen on {c.Address} without TLS: a node runs the code that clients send, so anyone who reaches it could run code here. " +
                "Give --tls-certificate and --tls-client-ca, or --insecure to accept that risk.");
        }
        return c;
    }

    private static IPEndPoint ParseEndpoint(string flag, string text)
    {
        int colon = text.LastIndexOf(':');
        if (colon <= 0) throw new ArgumentException($"{flag} wants HOST:PORT, not {text}.");
        string host = text[..colon];
        IPAddress address = IPAddress.TryParse(host, out IPAddress? ip) ? ip : Dns.GetHostAddresses(host).First();
        return new IPEndPoint(address, int.Parse(text[(colon + 1)..], CultureInfo.InvariantCulture));
    }
}
