using System.Text.Json;
using System.Text.Json.Serialization;

namespace Futures.Tests;

/// <summary>The functions the process-pool tests send to workers: static, so that they can cross.</summary>
public static class ProcessTasks
{
    public static int Square(int x) => x * x;

    public static int Add(int a, int b) => a + b;

    public static string Concat(string a, int b, double c) => $"{a}|{b}|{c}";

    public static int Pid() => Environment.ProcessId;

    public static int SlowPid(int milliseconds)
    {
        Thread.Sleep(milliseconds); // simulates work
        return Environment.ProcessId;
    }

    public static void Sleep(int milliseconds) => Thread.Sleep(milliseconds); // simulates work

    public static int Throw(string message) => throw new InvalidOperationException(message);

    public static int ThrowCustom(string message) => throw new CustomTestException(message);

    public static int ThrowNoStringCtor() => throw new NoStringCtorException(42);

    public static int ThrowUnbuildable() => throw new UnbuildableException(7, 8);

    public static int Exit(int code)
    {
        Environment.Exit(code);
        return 0;
    }

    /// <summary>Exits from a thread that is not the worker's main loop (ProcessExit handlers then run there).</summary>
    public static int ExitFromAnotherThread(int code)
    {
        var exiting = new Thread(() => Environment.Exit(code));
        exiting.Start();
        exiting.Join();
        return 0;
    }

    public static int FailFast()
    {
        Environment.FailFast("test crash");
        return 0;
    }

    public static int KillSelf()
    {
        System.Diagnostics.Process.GetCurrentProcess().Kill();
        Thread.Sleep(Timeout.Infinite);
        return 0;
    }

    public static Point Mirror(Point p) => new() { X = p.Y, Y = p.X };

    public static T Identity<T>(T value) => value;

    public static int Fib(int n) => n < 2 ? n : Fib(n - 1) + Fib(n - 2);

    /// <summary>Returns 2 once the named mutex (held by the test) is free: a gate the test opens.</summary>
    public static int AfterMutex(string name)
    {
        using var gate = new Mutex(initiallyOwned: false, name);
        gate.WaitOne();
        gate.ReleaseMutex();
        return 2;
    }

    /// <summary>Waits for the named mutex, then exits the worker with code 7 (a worker lost mid-call).</summary>
    public static int ExitAfterMutex(string name)
    {
        using var gate = new Mutex(initiallyOwned: false, name);
        gate.WaitOne();
        Environment.Exit(7);
        return 0;
    }
}

public sealed class CustomTestException : Exception
{
    public CustomTestException(string message) : base(message) { }
    public CustomTestException(string message, Exception inner) : base(message, inner) { }
}

public sealed class NoStringCtorException(int code) : Exception($"code {code}")
{
    public int Code { get; } = code;
}

/// <summary>No constructor's parameters match what it holds by name: it cannot be rebuilt.</summary>
public sealed class UnbuildableException(int first, int second) : Exception($"unbuildable {first}")
{
    public int Sum { get; } = first + second;
}

/// <summary>A struct with public fields, which cross because the pool includes fields.</summary>
public struct Point
{
    public int X;
    public int Y;
}
