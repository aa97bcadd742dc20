using System.Diagnostics;
using System.Reflection;
using Futures.Codec;
using Futures.Diagnostics;
using Futures.ProcessPool.Protocol;

namespace Futures.ProcessPool.WorkerHost;

/// <summary>
/// Runs one call where it arrives (Python's <c>_process_worker</c> body, and <c>_process_chunk</c>
/// for a Map chunk): resolves the method, decodes the target and arguments, invokes, encodes the
/// result. The same in a worker process and on a cluster node.
/// </summary>
/// <remarks>
/// Every failure on the way — in user code, or decoding or encoding a value — becomes the call's
/// exception, which crosses back with its state (<see cref="RemoteExceptions.Describe"/>); only a
/// process exit or crash escapes. A result that cannot cross fails its call with the
/// <see cref="ArgumentException"/> that names its type and place. A traced call runs inside a
/// <c>futures.task.invoke</c> activity parented on the parent's <c>futures.task</c>, so
/// <see cref="Activity.Current"/> in user code carries the trace.
/// </remarks>
internal static class CallInvocation
{
    /// <summary>Runs a self-contained <paramref name="call"/> (the cluster's, the initializer): its header is resolved for it alone.</summary>
    /// <param name="call">The call.</param>
    /// <param name="resolveMethod">Finds the method, and the compiler's singleton a lambda that captures nothing runs on.</param>
    /// <param name="resolveType">Finds a declared type by its assembly-qualified name.</param>
    /// <param name="blobs">The blob frames sent just before the call, when <see cref="CallItem.Blobs"/> is set.</param>
    /// <param name="types">How types named in the values are loaded here; null for the default load context.</param>
    /// <returns>The outcome, with the result's blobs to send before it (when <see cref="CallItem.Blobs"/> is set).</returns>
    public static ResultItem Execute(CallItem call, Func<MethodRef, (MethodInfo Method, object? Target)> resolveMethod, Func<string, Type> resolveType,
        IReadOnlyList<object>? blobs = null, CodecTypeResolver? types = null) =>
        Execute(new ResolvedHeader(call.Header), call.Body, resolveMethod, resolveType, blobs, types);

    /// <summary>Runs one call: <paramref name="header"/> (resolved on first use, then kept by the caller) and <paramref name="call"/>'s values.</summary>
    /// <param name="header">What to call, with the declared types.</param>
    /// <param name="call">The call's id, values and trace context.</param>
    /// <param name="resolveMethod">Finds the method, and the compiler's singleton a lambda that captures nothing runs on.</param>
    /// <param name="resolveType">Finds a declared type by its assembly-qualified name.</param>
    /// <param name="blobs">The blob frames sent just before the call, when <see cref="CallBody.Blobs"/> is set.</param>
    /// <param name="types">How types named in the values are loaded here; null for the default load context.</param>
    /// <returns>The outcome, with the result's blobs to send before it (when <see cref="CallBody.Blobs"/> is set).</returns>
    public static ResultItem Execute(ResolvedHeader header, CallBody call, Func<MethodRef, (MethodInfo Method, object? Target)> resolveMethod,
        Func<string, Type> resolveType, IReadOnlyList<object>? blobs = null, CodecTypeResolver? types = null)
    {
        Activity? activity = FuturesTracing.StartInvoke(call.TraceParent, call.TraceState, header.Header.Method.DisplayName);
        try
        {
            ResolvedHeader.Resolution resolved = header.Resolve(resolveMethod, resolveType);
            MethodInfo method = resolved.Method;
            RegisterGeneratedContracts(method);
            Type[] argumentTypes = resolved.ArgumentTypes;
            Type? targetType = resolved.TargetType;
            object?[] values = ValueCodec.Decode(call.Payload, resolved.DeclaredTypes(call.Count), call.Blobs ? new BlobList(blobs ?? []) : null, types);

            int at = targetType is null ? 0 : 1;
            object? target = targetType is null ? resolved.Singleton : values[0];
            // A static method closed over its first argument (an extension method's delegate): the target is that argument.
            bool targetIsFirstArgument = method.IsStatic && targetType is not null;
            var results = new object?[call.Count];
            for (int k = 0; k < call.Count; k++, at += argumentTypes.Length)
            {
                object?[] arguments = targetIsFirstArgument ? [target, .. values.AsSpan(at, argumentTypes.Length)] : values[at..(at + argumentTypes.Length)];
                results[k] = method.Invoke(targetIsFirstArgument ? null : target, BindingFlags.DoNotWrapExceptions, null, arguments, null);
                if (resolved.IsAsync) results[k] = AwaitedResult.Of(results[k], resolved.ResultType);
            }
            if (resolved.ResultType is null) return new ResultItem(call.CallId, null, []);

            BlobList? resultBlobs = call.Blobs ? new BlobList() : null;
            byte[] json = ValueCodec.Encode(results, resolved.ResultTypes(call.Count), resultBlobs, resolved.ResultSlots(call.Count));
            return new ResultItem(call.CallId, null, json) { Blobs = resultBlobs is { Count: > 0 } ? resultBlobs.Items : null };
        }
        catch (Exception e)
        {
            FuturesTracing.RecordException(activity, e);
            return RemoteExceptions.Describe(call.CallId, e);
        }
        finally
        {
            activity?.Stop();
        }
    }

    /// <summary>
    /// Makes sure the app's Futures-generated module initializer has run here, so that its contracts
    /// are registered (<see cref="GeneratedResolvers"/>) before the call's values are decoded: a worker
    /// that is the app's own executable never ran the app's <c>Main</c>, and under the JIT a module
    /// initializer runs only when its module is first used. The entry assembly's (the app that
    /// submitted) and the method's own. Cheap after the first time; nothing under Native AOT, which runs
    /// them all before <c>Main</c>.
    /// </summary>
    private static void RegisterGeneratedContracts(MethodInfo method)
    {
        if (ValueCodec.IsReflectionEnabled) return; // then the codec needs no generated contracts
        if (Assembly.GetEntryAssembly() is { } app) System.Runtime.CompilerServices.RuntimeHelpers.RunModuleConstructor(app.ManifestModule.ModuleHandle);
        System.Runtime.CompilerServices.RuntimeHelpers.RunModuleConstructor(method.Module.ModuleHandle);
    }
}
