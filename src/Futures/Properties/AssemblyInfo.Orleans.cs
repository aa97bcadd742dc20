using System.Runtime.CompilerServices;

// Futures.Orleans reuses the process pool's wire format (PendingCall, CallItem, ResultItem,
// RemoteExceptions) and the worker's call execution, so all executors ship calls alike.
[assembly: InternalsVisibleTo("Futures.Orleans")]

// Its tests build MethodRefs and CallItems directly.
[assembly: InternalsVisibleTo("Futures.Orleans.Tests")]
