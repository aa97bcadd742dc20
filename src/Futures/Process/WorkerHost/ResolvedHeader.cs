using System.Reflection;
using Futures.ProcessPool.Protocol;

namespace Futures.ProcessPool.WorkerHost;

/// <summary>
/// A <see cref="CallHeader"/> as this worker resolves it: the method, the instance a lambda that
/// captures nothing runs on, and the declared types, found by name once and kept for every call
/// that names the header.
/// </summary>
/// <remarks>
/// Resolved at the first call, inside that call (a failure fails the call, with the reason); a
/// failure is not kept, so the next call tries again, as each call did before headers were kept.
/// Used by one thread (the worker's main loop, or one cluster call).
/// </remarks>
internal sealed class ResolvedHeader(CallHeader header)
{
    /// <summary>Slot names of a single call's result, for messages.</summary>
    private static readonly string[] s_theResult = ["the result"];

    /// <summary>The header as it came.</summary>
    public CallHeader Header { get; } = header;

    private Resolution? _resolution;

    /// <summary>The resolved header, made on first use.</summary>
    /// <exception cref="Exception">The method or a type cannot be found here (a different build, a missing assembly).</exception>
    public Resolution Resolve(Func<MethodRef, (MethodInfo Method, object? Target)> resolveMethod, Func<string, Type> resolveType) =>
        _resolution ??= new Resolution(Header, resolveMethod, resolveType);

    /// <summary>What the header names, found here.</summary>
    internal sealed class Resolution
    {
        /// <summary>The declared types of a single call's values (the target first, when it crosses), kept: most calls are single.</summary>
        private readonly Type[] _singleCall;

        /// <summary>The declared types of a single call's result.</summary>
        private readonly Type[] _singleResult;

        public Resolution(CallHeader header, Func<MethodRef, (MethodInfo Method, object? Target)> resolveMethod, Func<string, Type> resolveType)
        {
            (Method, Singleton) = resolveMethod(header.Method);
            ArgumentTypes = header.ArgumentTypes.Select(resolveType).ToArray();
            ResultType = header.ResultType.Length == 0 ? null : resolveType(header.ResultType);
            TargetType = header.TargetType.Length == 0 ? null : resolveType(header.TargetType);
            IsChunk = header.IsChunk;
            IsAsync = header.IsAsync;
            _singleCall = DeclaredTypes(1, cached: false);
            _singleResult = ResultType is null ? [] : [ResultType];
        }

        /// <summary>The method to invoke.</summary>
        public MethodInfo Method { get; }

        /// <summary>The compiler's singleton a lambda that captures nothing runs on; null for a static method or when the target crosses.</summary>
        public object? Singleton { get; }

        /// <summary>The declared argument types of one call.</summary>
        public Type[] ArgumentTypes { get; }

        /// <summary>The declared result type (of one element, for a chunk); null for an Action.</summary>
        public Type? ResultType { get; }

        /// <summary>The declared type of the target that crosses with the call; null for none.</summary>
        public Type? TargetType { get; }

        /// <summary>Whether calls are Map chunks.</summary>
        public bool IsChunk { get; }

        /// <summary>Whether the method returns a task to await.</summary>
        public bool IsAsync { get; }

        /// <summary>The declared types of the values of <paramref name="count"/> calls: the target when it crosses, then each call's arguments in turn.</summary>
        public Type[] DeclaredTypes(int count) => DeclaredTypes(count, cached: true);

        private Type[] DeclaredTypes(int count, bool cached)
        {
            if (cached && count == 1) return _singleCall;
            var declared = new Type[(TargetType is null ? 0 : 1) + count * ArgumentTypes.Length];
            int at = 0;
            if (TargetType is not null) declared[at++] = TargetType;
            for (int k = 0; k < count; k++, at += ArgumentTypes.Length) ArgumentTypes.CopyTo(declared, at);
            return declared;
        }

        /// <summary>The declared types of the results of <paramref name="count"/> calls.</summary>
        public Type[] ResultTypes(int count) => count == 1 ? _singleResult : Enumerable.Repeat(ResultType!, count).ToArray();

        /// <summary>The results' names for messages: <c>the result</c>, or <c>the result of item k</c> in a chunk.</summary>
        public string[] ResultSlots(int count) =>
            IsChunk ? Enumerable.Range(0, count).Select(k => $"the result of item {k}").ToArray() : s_theResult;
    }
}
