#!/usr/bin/env bash
# Packaged-app check (issue 4): `dotnet pack` the library, then build and run a throwaway console
# app that references it only as a NuGet package from a local folder feed, and runs a task in a
# ProcessPoolExecutor worker. Proves that the worker host travels inside the package and starts on
# the app's own runtimeconfig/deps.json. Exit code 0 = pass.
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
version="0.0.0-packcheck.$(date +%s)"

dotnet pack src/Futures/Futures.csproj -c Release -o "$work/feed" -p:Version="$version" --nologo -v q
nupkg="$work/feed/Futures.$version.nupkg"
python3 -m zipfile -l "$nupkg" 2>/dev/null | grep -q "lib/net10.0/Futures.dll" \
  || unzip -l "$nupkg" | grep -q "lib/net10.0/Futures.dll" \
  || { echo "pack-check: lib/net10.0/Futures.dll missing from $nupkg"; exit 1; }
python3 -m zipfile -l "$nupkg" 2>/dev/null | grep -q "analyzers/dotnet/cs/Futures.Analyzers.dll" \
  || unzip -l "$nupkg" | grep -q "analyzers/dotnet/cs/Futures.Analyzers.dll" \
  || { echo "pack-check: analyzers/dotnet/cs/Futures.Analyzers.dll missing from $nupkg"; exit 1; }

# The library's own package dependencies come from the machine's package cache (a valid folder
# feed), so the check runs offline; Futures itself only from the fresh local feed.
global_packages="$(dotnet nuget locals global-packages --list | sed -n 's/^global-packages: *//p')"

mkdir -p "$work/app"
cat > "$work/app/nuget.config" <<XML
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <clear />
    <add key="local" value="$work/feed" />
    <add key="cache" value="$global_packages" />
  </packageSources>
  <packageSourceMapping>
    <packageSource key="local">
      <package pattern="Futures" />
    </packageSource>
    <packageSource key="cache">
      <package pattern="*" />
    </packageSource>
  </packageSourceMapping>
</configuration>
XML
cat > "$work/app/PackCheck.csproj" <<XML
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <OutputType>Exe</OutputType>
    <TargetFramework>net10.0</TargetFramework>
    <Nullable>enable</Nullable>
    <ImplicitUsings>enable</ImplicitUsings>
  </PropertyGroup>
  <ItemGroup>
    <PackageReference Include="Futures" Version="$version" />
  </ItemGroup>
</Project>
XML
cat > "$work/app/Program.cs" <<'CS'
using Futures;

using var pool = new ProcessPoolExecutor(maxWorkers: 1);
int workerPid = pool.Submit(Pid).Result(TimeSpan.FromSeconds(60));
int square = pool.Submit(static (int x) => x * x, 12).Result(TimeSpan.FromSeconds(60));
if (workerPid == Environment.ProcessId || square != 144)
{
    Console.WriteLine($"pack-check: FAILED (worker pid {workerPid}, parent {Environment.ProcessId}, square {square})");
    return 1;
}
Console.WriteLine($"pack-check: task ran in worker pid {workerPid} (parent {Environment.ProcessId}), 12^2 = {square}");
return 0;

static int Pid() => Environment.ProcessId;
CS

# A private package cache, so that a stale Futures of the same version can never be picked up.
export NUGET_PACKAGES="$work/packages"
dotnet build "$work/app/PackCheck.csproj" -c Release --nologo -v q
# Started through its apphost (the usual way an app runs) and through `dotnet`.
"$work/app/bin/Release/net10.0/PackCheck"
dotnet "$work/app/bin/Release/net10.0/PackCheck.dll"
echo "pack-check: OK"
