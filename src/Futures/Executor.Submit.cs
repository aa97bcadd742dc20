using Futures.Internal;

namespace Futures;

// Every overload below is one line into SubmitItem / SubmitItemAsync (Executor.cs): the argument
// tuple and a static invoker that knows the delegate's shape, so nothing else differs.
public abstract partial class Executor
{
    /// <summary>Schedules <paramref name="fn"/> to run and returns its future.</summary>
    /// <typeparam name="TResult">The result type.</typeparam>
    /// <param name="fn">What to call.</param>
    /// <returns>The future of the call.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="fn"/> is null.</exception>
    /// <exception cref="InvalidOperationException">The executor is shut down (or broken: <see cref="BrokenExecutorException"/>).</exception>
    public Future<TResult> Submit<TResult>(Func<TResult> fn) =>
        SubmitItem<Future<TResult>>(new CallWorkItem<ValueTuple, TResult>(fn, default(ValueTuple), static (f, a) => ((Func<TResult>)f)()));

    /// <summary>Schedules <paramref name="fn"/> to run and returns its future.</summary>
    /// <typeparam name="T1">The type of argument 1.</typeparam>
    /// <typeparam name="TResult">The result type.</typeparam>
    /// <param name="fn">What to call.</param>
    /// <param name="arg1">Argument 1 of the call.</param>
    /// <returns>The future of the call.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="fn"/> is null.</exception>
    /// <exception cref="InvalidOperationException">The executor is shut down (or broken: <see cref="BrokenExecutorException"/>).</exception>
    public Future<TResult> Submit<T1, TResult>(Func<T1, TResult> fn, T1 arg1) =>
        SubmitItem<Future<TResult>>(new CallWorkItem<ValueTuple<T1>, TResult>(fn, new ValueTuple<T1>(arg1), static (f, a) => ((Func<T1, TResult>)f)(a.Item1)));

    /// <summary>Schedules <paramref name="fn"/> to run and returns its future.</summary>
    /// <typeparam name="T1">The type of argument 1.</typeparam>
    /// <typeparam name="T2">The type of argument 2.</typeparam>
    /// <typeparam name="TResult">The result type.</typeparam>
    /// <param name="fn">What to call.</param>
    /// <param name="arg1">Argument 1 of the call.</param>
    /// <param name="arg2">Argument 2 of the call.</param>
    /// <returns>The future of the call.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="fn"/> is null.</exception>
    /// <exception cref="InvalidOperationException">The executor is shut down (or broken: <see cref="BrokenExecutorException"/>).</exception>
    public Future<TResult> Submit<T1, T2, TResult>(Func<T1, T2, TResult> fn, T1 arg1, T2 arg2) =>
        SubmitItem<Future<TResult>>(new CallWorkItem<ValueTuple<T1, T2>, TResult>(fn, new ValueTuple<T1, T2>(arg1, arg2), static (f, a) => ((Func<T1, T2, TResult>)f)(a.Item1, a.Item2)));

    /// <summary>Schedules <paramref name="fn"/> to run and returns its future.</summary>
    /// <typeparam name="T1">The type of argument 1.</typeparam>
    /// <typeparam name="T2">The type of argument 2.</typeparam>
    /// <typeparam name="T3">The type of argument 3.</typeparam>
    /// <typeparam name="TResult">The result type.</typeparam>
    /// <param name="fn">What to call.</param>
    /// <param name="arg1">Argument 1 of the call.</param>
    /// <param name="arg2">Argument 2 of the call.</param>
    /// <param name="arg3">Argument 3 of the call.</param>
    /// <returns>The future of the call.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="fn"/> is null.</exception>
    /// <exception cref="InvalidOperationException">The executor is shut down (or broken: <see cref="BrokenExecutorException"/>).</exception>
    public Future<TResult> Submit<T1, T2, T3, TResult>(Func<T1, T2, T3, TResult> fn, T1 arg1, T2 arg2, T3 arg3) =>
        SubmitItem<Future<TResult>>(new CallWorkItem<ValueTuple<T1, T2, T3>, TResult>(fn, new ValueTuple<T1, T2, T3>(arg1, arg2, arg3), static (f, a) => ((Func<T1, T2, T3, TResult>)f)(a.Item1, a.Item2, a.Item3)));

    /// <summary>Schedules <paramref name="fn"/> to run, awaiting room in a bounded queue instead of blocking the caller's thread.</summary>
    /// <typeparam name="TResult">The result type.</typeparam>
    /// <param name="fn">What to call.</param>
    /// <param name="cancellationToken">Abandons the wait for room; the work then never runs.</param>
    /// <returns>The future of the call, once it is queued.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="fn"/> is null.</exception>
    public ValueTask<Future<TResult>> SubmitAsync<TResult>(Func<TResult> fn, CancellationToken cancellationToken = default) =>
        SubmitItemAsync<Future<TResult>>(new CallWorkItem<ValueTuple, TResult>(fn, default(ValueTuple), static (f, a) => ((Func<TResult>)f)()), cancellationToken);

    /// <summary>Schedules <paramref name="fn"/> to run, awaiting room in a bounded queue instead of blocking the caller's thread.</summary>
    /// <typeparam name="T1">The type of argument 1.</typeparam>
    /// <typeparam name="TResult">The result type.</typeparam>
    /// <param name="fn">What to call.</param>
    /// <param name="arg1">Argument 1 of the call.</param>
    /// <param name="cancellationToken">Abandons the wait for room; the work then never runs.</param>
    /// <returns>The future of the call, once it is queued.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="fn"/> is null.</exception>
    public ValueTask<Future<TResult>> SubmitAsync<T1, TResult>(Func<T1, TResult> fn, T1 arg1, CancellationToken cancellationToken = default) =>
        SubmitItemAsync<Future<TResult>>(new CallWorkItem<ValueTuple<T1>, TResult>(fn, new ValueTuple<T1>(arg1), static (f, a) => ((Func<T1, TResult>)f)(a.Item1)), cancellationToken);

    /// <summary>Schedules <paramref name="fn"/> to run, awaiting room in a bounded queue instead of blocking the caller's thread.</summary>
    /// <typeparam name="T1">The type of argument 1.</typeparam>
    /// <typeparam name="T2">The type of argument 2.</typeparam>
    /// <typeparam name="TResult">The result type.</typeparam>
    /// <param name="fn">What to call.</param>
    /// <param name="arg1">Argument 1 of the call.</param>
    /// <param name="arg2">Argument 2 of the call.</param>
    /// <param name="cancellationToken">Abandons the wait for room; the work then never runs.</param>
    /// <returns>The future of the call, once it is queued.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="fn"/> is null.</exception>
    public ValueTask<Future<TResult>> SubmitAsync<T1, T2, TResult>(Func<T1, T2, TResult> fn, T1 arg1, T2 arg2, CancellationToken cancellationToken = default) =>
        SubmitItemAsync<Future<TResult>>(new CallWorkItem<ValueTuple<T1, T2>, TResult>(fn, new ValueTuple<T1, T2>(arg1, arg2), static (f, a) => ((Func<T1, T2, TResult>)f)(a.Item1, a.Item2)), cancellationToken);

    /// <summary>Schedules <paramref name="fn"/> to run, awaiting room in a bounded queue instead of blocking the caller's thread.</summary>
    /// <typeparam name="T1">The type of argument 1.</typeparam>
    /// <typeparam name="T2">The type of argument 2.</typeparam>
    /// <typeparam name="T3">The type of argument 3.</typeparam>
    /// <typeparam name="TResult">The result type.</typeparam>
    /// <param name="fn">What to call.</param>
    /// <param name="arg1">Argument 1 of the call.</param>
    /// <param name="arg2">Argument 2 of the call.</param>
    /// <param name="arg3">Argument 3 of the call.</param>
    /// <param name="cancellationToken">Abandons the wait for room; the work then never runs.</param>
    /// <returns>The future of the call, once it is queued.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="fn"/> is null.</exception>
    public ValueTask<Future<TResult>> SubmitAsync<T1, T2, T3, TResult>(Func<T1, T2, T3, TResult> fn, T1 arg1, T2 arg2, T3 arg3, CancellationToken cancellationToken = default) =>
        SubmitItemAsync<Future<TResult>>(new CallWorkItem<ValueTuple<T1, T2, T3>, TResult>(fn, new ValueTuple<T1, T2, T3>(arg1, arg2, arg3), static (f, a) => ((Func<T1, T2, T3, TResult>)f)(a.Item1, a.Item2, a.Item3)), cancellationToken);

    /// <summary>Schedules <paramref name="fn"/> to run and returns its future.</summary>
    /// <param name="fn">What to call.</param>
    /// <returns>The future of the call.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="fn"/> is null.</exception>
    /// <exception cref="InvalidOperationException">The executor is shut down (or broken: <see cref="BrokenExecutorException"/>).</exception>
    public Future Submit(Action fn) =>
        SubmitItem<Future>(new CallWorkItem<ValueTuple, VoidResult>(fn, default(ValueTuple), static (f, a) => { ((Action)f)(); return default; }));

    /// <summary>Schedules <paramref name="fn"/> to run and returns its future.</summary>
    /// <typeparam name="T1">The type of argument 1.</typeparam>
    /// <param name="fn">What to call.</param>
    /// <param name="arg1">Argument 1 of the call.</param>
    /// <returns>The future of the call.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="fn"/> is null.</exception>
    /// <exception cref="InvalidOperationException">The executor is shut down (or broken: <see cref="BrokenExecutorException"/>).</exception>
    public Future Submit<T1>(Action<T1> fn, T1 arg1) =>
        SubmitItem<Future>(new CallWorkItem<ValueTuple<T1>, VoidResult>(fn, new ValueTuple<T1>(arg1), static (f, a) => { ((Action<T1>)f)(a.Item1); return default; }));

    /// <summary>Schedules <paramref name="fn"/> to run and returns its future.</summary>
    /// <typeparam name="T1">The type of argument 1.</typeparam>
    /// <typeparam name="T2">The type of argument 2.</typeparam>
    /// <param name="fn">What to call.</param>
    /// <param name="arg1">Argument 1 of the call.</param>
    /// <param name="arg2">Argument 2 of the call.</param>
    /// <returns>The future of the call.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="fn"/> is null.</exception>
    /// <exception cref="InvalidOperationException">The executor is shut down (or broken: <see cref="BrokenExecutorException"/>).</exception>
    public Future Submit<T1, T2>(Action<T1, T2> fn, T1 arg1, T2 arg2) =>
        SubmitItem<Future>(new CallWorkItem<ValueTuple<T1, T2>, VoidResult>(fn, new ValueTuple<T1, T2>(arg1, arg2), static (f, a) => { ((Action<T1, T2>)f)(a.Item1, a.Item2); return default; }));

    /// <summary>Schedules <paramref name="fn"/> to run and returns its future.</summary>
    /// <typeparam name="T1">The type of argument 1.</typeparam>
    /// <typeparam name="T2">The type of argument 2.</typeparam>
    /// <typeparam name="T3">The type of argument 3.</typeparam>
    /// <param name="fn">What to call.</param>
    /// <param name="arg1">Argument 1 of the call.</param>
    /// <param name="arg2">Argument 2 of the call.</param>
    /// <param name="arg3">Argument 3 of the call.</param>
    /// <returns>The future of the call.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="fn"/> is null.</exception>
    /// <exception cref="InvalidOperationException">The executor is shut down (or broken: <see cref="BrokenExecutorException"/>).</exception>
    public Future Submit<T1, T2, T3>(Action<T1, T2, T3> fn, T1 arg1, T2 arg2, T3 arg3) =>
        SubmitItem<Future>(new CallWorkItem<ValueTuple<T1, T2, T3>, VoidResult>(fn, new ValueTuple<T1, T2, T3>(arg1, arg2, arg3), static (f, a) => { ((Action<T1, T2, T3>)f)(a.Item1, a.Item2, a.Item3); return default; }));

    /// <summary>Schedules <paramref name="fn"/> to run, awaiting room in a bounded queue instead of blocking the caller's thread.</summary>
    /// <param name="fn">What to call.</param>
    /// <param name="cancellationToken">Abandons the wait for room; the work then never runs.</param>
    /// <returns>The future of the call, once it is queued.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="fn"/> is null.</exception>
    public ValueTask<Future> SubmitAsync(Action fn, CancellationToken cancellationToken = default) =>
        SubmitItemAsync<Future>(new CallWorkItem<ValueTuple, VoidResult>(fn, default(ValueTuple), static (f, a) => { ((Action)f)(); return default; }), cancellationToken);

    /// <summary>Schedules <paramref name="fn"/> to run, awaiting room in a bounded queue instead of blocking the caller's thread.</summary>
    /// <typeparam name="T1">The type of argument 1.</typeparam>
    /// <param name="fn">What to call.</param>
    /// <param name="arg1">Argument 1 of the call.</param>
    /// <param name="cancellationToken">Abandons the wait for room; the work then never runs.</param>
    /// <returns>The future of the call, once it is queued.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="fn"/> is null.</exception>
    public ValueTask<Future> SubmitAsync<T1>(Action<T1> fn, T1 arg1, CancellationToken cancellationToken = default) =>
        SubmitItemAsync<Future>(new CallWorkItem<ValueTuple<T1>, VoidResult>(fn, new ValueTuple<T1>(arg1), static (f, a) => { ((Action<T1>)f)(a.Item1); return default; }), cancellationToken);

    /// <summary>Schedules <paramref name="fn"/> to run, awaiting room in a bounded queue instead of blocking the caller's thread.</summary>
    /// <typeparam name="T1">The type of argument 1.</typeparam>
    /// <typeparam name="T2">The type of argument 2.</typeparam>
    /// <param name="fn">What to call.</param>
    /// <param name="arg1">Argument 1 of the call.</param>
    /// <param name="arg2">Argument 2 of the call.</param>
    /// <param name="cancellationToken">Abandons the wait for room; the work then never runs.</param>
    /// <returns>The future of the call, once it is queued.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="fn"/> is null.</exception>
    public ValueTask<Future> SubmitAsync<T1, T2>(Action<T1, T2> fn, T1 arg1, T2 arg2, CancellationToken cancellationToken = default) =>
        SubmitItemAsync<Future>(new CallWorkItem<ValueTuple<T1, T2>, VoidResult>(fn, new ValueTuple<T1, T2>(arg1, arg2), static (f, a) => { ((Action<T1, T2>)f)(a.Item1, a.Item2); return default; }), cancellationToken);

    /// <summary>Schedules <paramref name="fn"/> to run, awaiting room in a bounded queue instead of blocking the caller's thread.</summary>
    /// <typeparam name="T1">The type of argument 1.</typeparam>
    /// <typeparam name="T2">The type of argument 2.</typeparam>
    /// <typeparam name="T3">The type of argument 3.</typeparam>
    /// <param name="fn">What to call.</param>
    /// <param name="arg1">Argument 1 of the call.</param>
    /// <param name="arg2">Argument 2 of the call.</param>
    /// <param name="arg3">Argument 3 of the call.</param>
    /// <param name="cancellationToken">Abandons the wait for room; the work then never runs.</param>
    /// <returns>The future of the call, once it is queued.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="fn"/> is null.</exception>
    public ValueTask<Future> SubmitAsync<T1, T2, T3>(Action<T1, T2, T3> fn, T1 arg1, T2 arg2, T3 arg3, CancellationToken cancellationToken = default) =>
        SubmitItemAsync<Future>(new CallWorkItem<ValueTuple<T1, T2, T3>, VoidResult>(fn, new ValueTuple<T1, T2, T3>(arg1, arg2, arg3), static (f, a) => { ((Action<T1, T2, T3>)f)(a.Item1, a.Item2, a.Item3); return default; }), cancellationToken);
}
