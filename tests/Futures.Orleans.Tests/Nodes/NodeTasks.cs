using System.Runtime.Loader;

namespace Futures.Orleans.Tests.Nodes;

/// <summary>Tasks for the worker node processes. The nodes never had this assembly: the executor uploads it.</summary>
public static class NodeTasks
{
    public static int Pid(int workMs)
    {
        Thread.Sleep(workMs); // simulated work, so that tasks overlap
        return Environment.ProcessId;
    }

    /// <summary>Marks its start in <paramref name="folder"/> as <c>{id}.{pid}</c>, then works for <paramref name="workMs"/>.</summary>
    public static int Marked(string folder, int id, int workMs)
    {
        File.WriteAllText(Path.Combine(folder, $"{id}.{Environment.ProcessId}"), "");
        Thread.Sleep(workMs); // simulated work
        return Environment.ProcessId;
    }

    /// <summary>Where this assembly came from on the node: its file path ("" when loaded from bytes) and whether its load context is collectible.</summary>
    public static string Origin() =>
        $"{typeof(NodeTasks).Assembly.Location}|{AssemblyLoadContext.GetLoadContext(typeof(NodeTasks).Assembly)!.IsCollectible}";

    public static double Pi(int n)
    {
        double sum = 0;
        for (int k = 0; k < n; k++) sum += (k % 2 == 0 ? 4.0 : -4.0) / (2 * k + 1);
        return sum;
    }
}
