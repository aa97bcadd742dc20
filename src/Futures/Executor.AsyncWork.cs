using Futures.Internal;

namespace Futures;

// Async work (contract v2): Submit, SubmitAsync, Map and MapUnordered for functions that return a
// Task. An async lambda or method binds to these, as with Task.Run (Task<T> is more specific than
// T, and a delegate with a return type beats Action), and the future completes with the awaited
// result or the task's own exception. Each overload is one line into the same SubmitItem /
// SubmitItemAsync / MapCore path as the synchronous ones, with an AsyncInvoker as the invoker:
// it runs the function and waits for its task on the worker (so maxWorkers bounds async calls in
// flight), and it tells executors that ship calls elsewhere that the function must be awaited
// there (WorkItem.IsAsync).
public abstract partial class Executor
{
    /// <summary>Schedules the async function <paramref name="fn"/> to run and returns the future of its awaited result.</summary>
    /// <typeparam name="TResult">The type of the task's result.</typeparam>
    /// <param name="fn">What to call; the task it returns is awaited.</param>
    /// <returns>The future of the call.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="fn"/> is null.</exception>
    /// <exception cref="InvalidOperationException">The executor is shut down (or broken: <see cref="BrokenExecutorException"/>).</exception>
    /// <remarks>The future completes when the task does: with its result, or with the exception the task holds (the same object, not an <see cref="AggregateException"/>).</remarks>
    public Future<TResult> Submit<TResult>(Func<Task<TResult>> fn) =>
        SubmitItem<Future<TResult>>(new CallWorkItem<ValueTuple, TResult>(fn, default(ValueTuple), AsyncInvoker<ValueTuple, TResult>.Create(static (f, a) => ((Func<Task<TResult>>)f)())));

    /// <summary>Schedules the async function <paramref name="fn"/> to run and returns the future of its awaited result.</summary>
    /// <typeparam name="T1">The type of argument 1.</typeparam>
    /// <typeparam name="TResult">The type of the task's result.</typeparam>
    /// <param name="fn">What to call; the task it returns is awaited.</param>
    /// <param name="arg1">Argument 1 of the call.</param>
    /// <returns>The future of the call.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="fn"/> is null.</exception>
    /// <exception cref="InvalidOperationException">The executor is shut down (or broken: <see cref="BrokenExecutorException"/>).</exception>
    /// <remarks>The future completes when the task does: with its result, or with the exception the task holds (the same object, not an <see cref="AggregateException"/>).</remarks>
    public Future<TResult> Submit<T1, TResult>(Func<T1, Task<TResult>> fn, T1 arg1) =>
        SubmitItem<Future<TResult>>(new CallWorkItem<ValueTuple<T1>, TResult>(fn, new ValueTuple<T1>(arg1), AsyncInvoker<ValueTuple<T1>, TResult>.Create(static (f, a) => ((Func<T1, Task<TResult>>)f)(a.Item1))));

    /// <summary>Schedules the async function <paramref name="fn"/> to run and returns the future of its awaited result.</summary>
    /// <typeparam name="T1">The type of argument 1.</typeparam>
    /// <typeparam name="T2">The type of argument 2.</typeparam>
    /// <typeparam name="TResult">The type of the task's result.</typeparam>
    /// <param name="fn">What to call; the task it returns is awaited.</param>
    /// <param name="arg1">Argument 1 of the call.</param>
    /// <param name="arg2">Argument 2 of the call.</param>
    /// <returns>The future of the call.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="fn"/> is null.</exception>
    /// <exception cref="InvalidOperationException">The executor is shut down (or broken: <see cref="BrokenExecutorException"/>).</exception>
    /// <remarks>The future completes when the task does: with its result, or with the exception the task holds (the same object, not an <see cref="AggregateException"/>).</remarks>
    public Future<TResult> Submit<T1, T2, TResult>(Func<T1, T2, Task<TResult>> fn, T1 arg1, T2 arg2) =>
        SubmitItem<Future<TResult>>(new CallWorkItem<ValueTuple<T1, T2>, TResult>(fn, new ValueTuple<T1, T2>(arg1, arg2), AsyncInvoker<ValueTuple<T1, T2>, TResult>.Create(static (f, a) => ((Func<T1, T2, Task<TResult>>)f)(a.Item1, a.Item2))));

    /// <summary>Schedules the async function <paramref name="fn"/> to run and returns the future of its awaited result.</summary>
    /// <typeparam name="T1">The type of argument 1.</typeparam>
    /// <typeparam name="T2">The type of argument 2.</typeparam>
    /// <typeparam name="T3">The type of argument 3.</typeparam>
    /// <typeparam name="TResult">The type of the task's result.</typeparam>
    /// <param name="fn">What to call; the task it returns is awaited.</param>
    /// <param name="arg1">Argument 1 of the call.</param>
    /// <param name="arg2">Argument 2 of the call.</param>
    /// <param name="arg3">Argument 3 of the call.</param>
    /// <returns>The future of the call.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="fn"/> is null.</exception>
    /// <exception cref="InvalidOperationException">The executor is shut down (or broken: <see cref="BrokenExecutorException"/>).</exception>
    /// <remarks>The future completes when the task does: with its result, or with the exception the task holds (the same object, not an <see cref="AggregateException"/>).</remarks>
    public Future<TResult> Submit<T1, T2, T3, TResult>(Func<T1, T2, T3, Task<TResult>> fn, T1 arg1, T2 arg2, T3 arg3) =>
        SubmitItem<Future<TResult>>(new CallWorkItem<ValueTuple<T1, T2, T3>, TResult>(fn, new ValueTuple<T1, T2, T3>(arg1, arg2, arg3), AsyncInvoker<ValueTuple<T1, T2, T3>, TResult>.Create(static (f, a) => ((Func<T1, T2, T3, Task<TResult>>)f)(a.Item1, a.Item2, a.Item3))));

    /// <summary>Schedules the async function <paramref name="fn"/> to run and returns a future that completes when its task does.</summary>
    /// <param name="fn">What to call; the task it returns is awaited.</param>
    /// <returns>The future of the call.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="fn"/> is null.</exception>
    /// <exception cref="InvalidOperationException">The executor is shut down (or broken: <see cref="BrokenExecutorException"/>).</exception>
    /// <remarks>The future completes when the task does: with its result, or with the exception the task holds (the same object, not an <see cref="AggregateException"/>).</remarks>
    public Future Submit(Func<Task> fn) =>
        SubmitItem<Future>(new CallWorkItem<ValueTuple, VoidResult>(fn, default(ValueTuple), AsyncInvoker<ValueTuple, VoidResult>.Create(static (f, a) => ((Func<Task>)f)())));

    /// <summary>Schedules the async function <paramref name="fn"/> to run and returns a future that completes when its task does.</summary>
    /// <typeparam name="T1">The type of argument 1.</typeparam>
    /// <param name="fn">What to call; the task it returns is awaited.</param>
    /// <param name="arg1">Argument 1 of the call.</param>
    /// <returns>The future of the call.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="fn"/> is null.</exception>
    /// <exception cref="InvalidOperationException">The executor is shut down (or broken: <see cref="BrokenExecutorException"/>).</exception>
    /// <remarks>The future completes when the task does: with its result, or with the exception the task holds (the same object, not an <see cref="AggregateException"/>).</remarks>
    public Future Submit<T1>(Func<T1, Task> fn, T1 arg1) =>
        SubmitItem<Future>(new CallWorkItem<ValueTuple<T1>, VoidResult>(fn, new ValueTuple<T1>(arg1), AsyncInvoker<ValueTuple<T1>, VoidResult>.Create(static (f, a) => ((Func<T1, Task>)f)(a.Item1))));

    /// <summary>Schedules the async function <paramref name="fn"/> to run and returns a future that completes when its task does.</summary>
    /// <typeparam name="T1">The type of argument 1.</typeparam>
    /// <typeparam name="T2">The type of argument 2.</typeparam>
    /// <param name="fn">What to call; the task it returns is awaited.</param>
    /// <param name="arg1">Argument 1 of the call.</param>
    /// <param name="arg2">Argument 2 of the call.</param>
    /// <returns>The future of the call.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="fn"/> is null.</exception>
    /// <exception cref="InvalidOperationException">The executor is shut down (or broken: <see cref="BrokenExecutorException"/>).</exception>
    /// <remarks>The future completes when the task does: with its result, or with the exception the task holds (the same object, not an <see cref="AggregateException"/>).</remarks>
    public Future Submit<T1, T2>(Func<T1, T2, Task> fn, T1 arg1, T2 arg2) =>
        SubmitItem<Future>(new CallWorkItem<ValueTuple<T1, T2>, VoidResult>(fn, new ValueTuple<T1, T2>(arg1, arg2), AsyncInvoker<ValueTuple<T1, T2>, VoidResult>.Create(static (f, a) => ((Func<T1, T2, Task>)f)(a.Item1, a.Item2))));

    /// <summary>Schedules the async function <paramref name="fn"/> to run and returns a future that completes when its task does.</summary>
    /// <typeparam name="T1">The type of argument 1.</typeparam>
    /// <typeparam name="T2">The type of argument 2.</typeparam>
    /// <typeparam name="T3">The type of argument 3.</typeparam>
    /// <param name="fn">What to call; the task it returns is awaited.</param>
    /// <param name="arg1">Argument 1 of the call.</param>
    /// <param name="arg2">Argument 2 of the call.</param>
    /// <param name="arg3">Argument 3 of the call.</param>
    /// <returns>The future of the call.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="fn"/> is null.</exception>
    /// <exception cref="InvalidOperationException">The executor is shut down (or broken: <see cref="BrokenExecutorException"/>).</exception>
    /// <remarks>The future completes when the task does: with its result, or with the exception the task holds (the same object, not an <see cref="AggregateException"/>).</remarks>
    public Future Submit<T1, T2, T3>(Func<T1, T2, T3, Task> fn, T1 arg1, T2 arg2, T3 arg3) =>
        SubmitItem<Future>(new CallWorkItem<ValueTuple<T1, T2, T3>, VoidResult>(fn, new ValueTuple<T1, T2, T3>(arg1, arg2, arg3), AsyncInvoker<ValueTuple<T1, T2, T3>, VoidResult>.Create(static (f, a) => ((Func<T1, T2, T3, Task>)f)(a.Item1, a.Item2, a.Item3))));

    /// <summary>Schedules the async function <paramref name="fn"/> to run, awaiting room in a bounded queue instead of blocking the caller's thread.</summary>
    /// <typeparam name="TResult">The type of the task's result.</typeparam>
    /// <param name="fn">What to call; the task it returns is awaited.</param>
    /// <param name="cancellationToken">Abandons the wait for room; the work then never runs.</param>
    /// <returns>The future of the call, once it is queued.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="fn"/> is null.</exception>
    /// <remarks>The future completes when the task does: with its result, or with the exception the task holds (the same object, not an <see cref="AggregateException"/>).</remarks>
    public ValueTask<Future<TResult>> SubmitAsync<TResult>(Func<Task<TResult>> fn, CancellationToken cancellationToken = default) =>
        SubmitItemAsync<Future<TResult>>(new CallWorkItem<ValueTuple, TResult>(fn, default(ValueTuple), AsyncInvoker<ValueTuple, TResult>.Create(static (f, a) => ((Func<Task<TResult>>)f)())), cancellationToken);

    /// <summary>Schedules the async function <paramref name="fn"/> to run, awaiting room in a bounded queue instead of blocking the caller's thread.</summary>
    /// <typeparam name="T1">The type of argument 1.</typeparam>
    /// <typeparam name="TResult">The type of the task's result.</typeparam>
    /// <param name="fn">What to call; the task it returns is awaited.</param>
    /// <param name="arg1">Argument 1 of the call.</param>
    /// <param name="cancellationToken">Abandons the wait for room; the work then never runs.</param>
    /// <returns>The future of the call, once it is queued.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="fn"/> is null.</exception>
    /// <remarks>The future completes when the task does: with its result, or with the exception the task holds (the same object, not an <see cref="AggregateException"/>).</remarks>
    public ValueTask<Future<TResult>> SubmitAsync<T1, TResult>(Func<T1, Task<TResult>> fn, T1 arg1, CancellationToken cancellationToken = default) =>
        SubmitItemAsync<Future<TResult>>(new CallWorkItem<ValueTuple<T1>, TResult>(fn, new ValueTuple<T1>(arg1), AsyncInvoker<ValueTuple<T1>, TResult>.Create(static (f, a) => ((Func<T1, Task<TResult>>)f)(a.Item1))), cancellationToken);

    /// <summary>Schedules the async function <paramref name="fn"/> to run, awaiting room in a bounded queue instead of blocking the caller's thread.</summary>
    /// <typeparam name="T1">The type of argument 1.</typeparam>
    /// <typeparam name="T2">The type of argument 2.</typeparam>
    /// <typeparam name="TResult">The type of the task's result.</typeparam>
    /// <param name="fn">What to call; the task it returns is awaited.</param>
    /// <param name="arg1">Argument 1 of the call.</param>
    /// <param name="arg2">Argument 2 of the call.</param>
    /// <param name="cancellationToken">Abandons the wait for room; the work then never runs.</param>
    /// <returns>The future of the call, once it is queued.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="fn"/> is null.</exception>
    /// <remarks>The future completes when the task does: with its result, or with the exception the task holds (the same object, not an <see cref="AggregateException"/>).</remarks>
    public ValueTask<Future<TResult>> SubmitAsync<T1, T2, TResult>(Func<T1, T2, Task<TResult>> fn, T1 arg1, T2 arg2, CancellationToken cancellationToken = default) =>
        SubmitItemAsync<Future<TResult>>(new CallWorkItem<ValueTuple<T1, T2>, TResult>(fn, new ValueTuple<T1, T2>(arg1, arg2), AsyncInvoker<ValueTuple<T1, T2>, TResult>.Create(static (f, a) => ((Func<T1, T2, Task<TResult>>)f)(a.Item1, a.Item2))), cancellationToken);

    /// <summary>Schedules the async function <paramref name="fn"/> to run, awaiting room in a bounded queue instead of blocking the caller's thread.</summary>
    /// <typeparam name="T1">The type of argument 1.</typeparam>
    /// <typeparam name="T2">The type of argument 2.</typeparam>
    /// <typeparam name="T3">The type of argument 3.</typeparam>
    /// <typeparam name="TResult">The type of the task's result.</typeparam>
    /// <param name="fn">What to call; the task it returns is awaited.</param>
    /// <param name="arg1">Argument 1 of the call.</param>
    /// <param name="arg2">Argument 2 of the call.</param>
    /// <param name="arg3">Argument 3 of the call.</param>
    /// <param name="cancellationToken">Abandons the wait for room; the work then never runs.</param>
    /// <returns>The future of the call, once it is queued.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="fn"/> is null.</exception>
    /// <remarks>The future completes when the task does: with its result, or with the exception the task holds (the same object, not an <see cref="AggregateException"/>).</remarks>
    public ValueTask<Future<TResult>> SubmitAsync<T1, T2, T3, TResult>(Func<T1, T2, T3, Task<TResult>> fn, T1 arg1, T2 arg2, T3 arg3, CancellationToken cancellationToken = default) =>
        SubmitItemAsync<Future<TResult>>(new CallWorkItem<ValueTuple<T1, T2, T3>, TResult>(fn, new ValueTuple<T1, T2, T3>(arg1, arg2, arg3), AsyncInvoker<ValueTuple<T1, T2, T3>, TResult>.Create(static (f, a) => ((Func<T1, T2, T3, Task<TResult>>)f)(a.Item1, a.Item2, a.Item3))), cancellationToken);

    /// <summary>Schedules the async function <paramref name="fn"/> to run, awaiting room in a bounded queue instead of blocking the caller's thread.</summary>
    /// <param name="fn">What to call; the task it returns is awaited.</param>
    /// <param name="cancellationToken">Abandons the wait for room; the work then never runs.</param>
    /// <returns>The future of the call, once it is queued.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="fn"/> is null.</exception>
    /// <remarks>The future completes when the task does: with its result, or with the exception the task holds (the same object, not an <see cref="AggregateException"/>).</remarks>
    public ValueTask<Future> SubmitAsync(Func<Task> fn, CancellationToken cancellationToken = default) =>
        SubmitItemAsync<Future>(new CallWorkItem<ValueTuple, VoidResult>(fn, default(ValueTuple), AsyncInvoker<ValueTuple, VoidResult>.Create(static (f, a) => ((Func<Task>)f)())), cancellationToken);

    /// <summary>Schedules the async function <paramref name="fn"/> to run, awaiting room in a bounded queue instead of blocking the caller's thread.</summary>
    /// <typeparam name="T1">The type of argument 1.</typeparam>
    /// <param name="fn">What to call; the task it returns is awaited.</param>
    /// <param name="arg1">Argument 1 of the call.</param>
    /// <param name="cancellationToken">Abandons the wait for room; the work then never runs.</param>
    /// <returns>The future of the call, once it is queued.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="fn"/> is null.</exception>
    /// <remarks>The future completes when the task does: with its result, or with the exception the task holds (the same object, not an <see cref="AggregateException"/>).</remarks>
    public ValueTask<Future> SubmitAsync<T1>(Func<T1, Task> fn, T1 arg1, CancellationToken cancellationToken = default) =>
        SubmitItemAsync<Future>(new CallWorkItem<ValueTuple<T1>, VoidResult>(fn, new ValueTuple<T1>(arg1), AsyncInvoker<ValueTuple<T1>, VoidResult>.Create(static (f, a) => ((Func<T1, Task>)f)(a.Item1))), cancellationToken);

    /// <summary>Schedules the async function <paramref name="fn"/> to run, awaiting room in a bounded queue instead of blocking the caller's thread.</summary>
    /// <typeparam name="T1">The type of argument 1.</typeparam>
    /// <typeparam name="T2">The type of argument 2.</typeparam>
    /// <param name="fn">What to call; the task it returns is awaited.</param>
    /// <param name="arg1">Argument 1 of the call.</param>
    /// <param name="arg2">Argument 2 of the call.</param>
    /// <param name="cancellationToken">Abandons the wait for room; the work then never runs.</param>
    /// <returns>The future of the call, once it is queued.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="fn"/> is null.</exception>
    /// <remarks>The future completes when the task does: with its result, or with the exception the task holds (the same object, not an <see cref="AggregateException"/>).</remarks>
    public ValueTask<Future> SubmitAsync<T1, T2>(Func<T1, T2, Task> fn, T1 arg1, T2 arg2, CancellationToken cancellationToken = default) =>
        SubmitItemAsync<Future>(new CallWorkItem<ValueTuple<T1, T2>, VoidResult>(fn, new ValueTuple<T1, T2>(arg1, arg2), AsyncInvoker<ValueTuple<T1, T2>, VoidResult>.Create(static (f, a) => ((Func<T1, T2, Task>)f)(a.Item1, a.Item2))), cancellationToken);

    /// <summary>Schedules the async function <paramref name="fn"/> to run, awaiting room in a bounded queue instead of blocking the caller's thread.</summary>
    /// <typeparam name="T1">The type of argument 1.</typeparam>
    /// <typeparam name="T2">The type of argument 2.</typeparam>
    /// <typeparam name="T3">The type of argument 3.</typeparam>
    /// <param name="fn">What to call; the task it returns is awaited.</param>
    /// <param name="arg1">Argument 1 of the call.</param>
    /// <param name="arg2">Argument 2 of the call.</param>
    /// <param name="arg3">Argument 3 of the call.</param>
    /// <param name="cancellationToken">Abandons the wait for room; the work then never runs.</param>
    /// <returns>The future of the call, once it is queued.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="fn"/> is null.</exception>
    /// <remarks>The future completes when the task does: with its result, or with the exception the task holds (the same object, not an <see cref="AggregateException"/>).</remarks>
    public ValueTask<Future> SubmitAsync<T1, T2, T3>(Func<T1, T2, T3, Task> fn, T1 arg1, T2 arg2, T3 arg3, CancellationToken cancellationToken = default) =>
        SubmitItemAsync<Future>(new CallWorkItem<ValueTuple<T1, T2, T3>, VoidResult>(fn, new ValueTuple<T1, T2, T3>(arg1, arg2, arg3), AsyncInvoker<ValueTuple<T1, T2, T3>, VoidResult>.Create(static (f, a) => ((Func<T1, T2, T3, Task>)f)(a.Item1, a.Item2, a.Item3))), cancellationToken);

    /// <summary>Calls the async function <paramref name="fn"/> on each item concurrently and yields the awaited results in input order; see <see cref="Map{T, TResult}(Func{T, TResult}, IEnumerable{T}, TimeSpan?, int, int?)"/>.</summary>
    /// <typeparam name="T">The item type.</typeparam>
    /// <typeparam name="TResult">The type of the tasks' results.</typeparam>
    /// <param name="fn">What to call on each item; the task it returns is awaited.</param>
    /// <param name="items">The inputs.</param>
    /// <param name="timeout">Counted from this call; on expiry enumeration throws <see cref="TimeoutException"/> and cancels the calls not yet started.</param>
    /// <param name="chunkSize">Items per message where the executor batches (the process pool); ignored by the thread pool.</param>
    /// <param name="bufferSize">At most this many calls outstanding ahead of the results yielded; <c>null</c> submits all at once.</param>
    /// <returns>The results, in input order, for one enumeration. A call's exception (the task's own) is thrown when its value is reached and ends the enumeration.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="fn"/> or <paramref name="items"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="chunkSize"/> or <paramref name="bufferSize"/> is less than 1.</exception>
    public IEnumerable<TResult> Map<T, TResult>(Func<T, Task<TResult>> fn, IEnumerable<T> items,
        TimeSpan? timeout = null, int chunkSize = 1, int? bufferSize = null) =>
        MapCore(fn, ArgumentsOf(items), AsyncInvoker<ValueTuple<T>, TResult>.Create(static (f, a) => ((Func<T, Task<TResult>>)f)(a.Item1)), timeout, chunkSize, bufferSize, ordered: true);

    /// <summary>Calls the async function <paramref name="fn"/> on pairs of items, zipped up to the shorter sequence, and yields the awaited results in input order.</summary>
    /// <typeparam name="T1">The type of the first items.</typeparam>
    /// <typeparam name="T2">The type of the second items.</typeparam>
    /// <typeparam name="TResult">The type of the tasks' results.</typeparam>
    /// <param name="fn">What to call on each pair; the task it returns is awaited.</param>
    /// <param name="items1">The first arguments.</param>
    /// <param name="items2">The second arguments.</param>
    /// <param name="timeout">Counted from this call; on expiry enumeration throws <see cref="TimeoutException"/>.</param>
    /// <param name="chunkSize">Items per message where the executor batches; ignored by the thread pool.</param>
    /// <param name="bufferSize">At most this many calls outstanding ahead of the results yielded.</param>
    /// <returns>The results, in input order, for one enumeration.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="chunkSize"/> or <paramref name="bufferSize"/> is less than 1.</exception>
    public IEnumerable<TResult> Map<T1, T2, TResult>(Func<T1, T2, Task<TResult>> fn,
        IEnumerable<T1> items1, IEnumerable<T2> items2,
        TimeSpan? timeout = null, int chunkSize = 1, int? bufferSize = null) =>
        MapCore(fn, ArgumentsOf(items1, items2), AsyncInvoker<ValueTuple<T1, T2>, TResult>.Create(static (f, a) => ((Func<T1, T2, Task<TResult>>)f)(a.Item1, a.Item2)), timeout, chunkSize, bufferSize, ordered: true);

    /// <summary>Like <see cref="Map{T, TResult}(Func{T, Task{TResult}}, IEnumerable{T}, TimeSpan?, int, int?)"/>, but yields the awaited results as they complete.</summary>
    /// <typeparam name="T">The item type.</typeparam>
    /// <typeparam name="TResult">The type of the tasks' results.</typeparam>
    /// <param name="fn">What to call on each item; the task it returns is awaited.</param>
    /// <param name="items">The inputs.</param>
    /// <param name="timeout">Counted from this call; on expiry enumeration throws <see cref="TimeoutException"/>.</param>
    /// <param name="chunkSize">Items per message where the executor batches; ignored by the thread pool.</param>
    /// <param name="bufferSize">At most this many calls outstanding ahead of the results yielded.</param>
    /// <returns>The results, in completion order, for one enumeration.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="fn"/> or <paramref name="items"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="chunkSize"/> or <paramref name="bufferSize"/> is less than 1.</exception>
    public IEnumerable<TResult> MapUnordered<T, TResult>(Func<T, Task<TResult>> fn, IEnumerable<T> items,
        TimeSpan? timeout = null, int chunkSize = 1, int? bufferSize = null) =>
        MapCore(fn, ArgumentsOf(items), AsyncInvoker<ValueTuple<T>, TResult>.Create(static (f, a) => ((Func<T, Task<TResult>>)f)(a.Item1)), timeout, chunkSize, bufferSize, ordered: false);
}
