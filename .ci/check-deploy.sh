#!/usr/bin/env bash
# Deployment check (issue 10): `dotnet pack` the library once, then build or publish one throwaway app
# from the packed package in every way a .NET app runs, and run each from another directory. Published
# apps run with no `dotnet` on PATH and no DOTNET_* variables (a runtime-deps container, say). The app
# runs static methods with int, string, double[] and List<int> arguments and results through Submit and
# Map, checks the results and that they ran in other processes (and, in self-contained modes, that the
# worker is the app's own executable, not `dotnet`), and prints its new-pool → first-result time.
# Each publish is done once. Exit code 0 = every mode passed.
set -uo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

dotnet_exe="$(command -v dotnet)"
dotnet_exe="$(readlink -f "$dotnet_exe")"
work="$(mktemp -d)"
# DEPLOY_CHECK_KEEP=1 keeps the apps and logs (the folder is printed) to look into a failure.
if [ -n "${DEPLOY_CHECK_KEEP:-}" ]; then echo "deploy-check: working in $work (kept)"; else trap 'rm -rf "$work"' EXIT; fi
version="0.0.0-deploycheck.$(date +%s)"

nice dotnet pack src/Futures/Futures.csproj -c Release -o "$work/feed" -p:Version="$version" --nologo -v q \
  || { echo "deploy-check: dotnet pack failed"; exit 1; }

# Futures from the fresh feed only; everything else from the machine's package cache (offline).
global_packages="$(dotnet nuget locals global-packages --list | sed -n 's/^global-packages: *//p')"
export NUGET_PACKAGES="$work/packages" # private: a stale Futures of the same version can never be used
cat > "$work/nuget.config" <<XML
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <clear />
    <add key="local" value="$work/feed" />
    <add key="cache" value="$global_packages" />
  </packageSources>
  <packageSourceMapping>
    <packageSource key="local"><package pattern="Futures" /></packageSource>
    <packageSource key="cache"><package pattern="*" /></packageSource>
  </packageSourceMapping>
</configuration>
XML

# The program, as a user writes it. Arguments: the mode's name, and which executable the workers must
# be: "dotnet" (dotnet exec of Futures.dll) or "self" (the app's own executable).
cat > "$work/Program.cs" <<'CS'
using System.Diagnostics;
using Futures;

string mode = args.Length > 0 ? args[0] : "?";
string expectedWorker = args.Length > 1 ? args[1] : "any";
TimeSpan guard = TimeSpan.FromSeconds(60);
int me = Environment.ProcessId;
var failures = new List<string>();
void Check(bool ok, string what) { if (!ok) failures.Add(what); }

var clock = Stopwatch.StartNew();
using (var pool = new ProcessPoolExecutor(maxWorkers: 2))
{
    string first = pool.Submit(Greet, "deploy").Result(guard);
    double firstMs = clock.Elapsed.TotalMilliseconds;
    Check(first.StartsWith("hello deploy from ") && PidOf(first) != me, $"Submit(string) ran here or returned '{first}'");

    Check(pool.Submit(Square, 12).Result(guard) == 144, "Submit(int)");
    Check(pool.Submit(Sum, new[] { 1.5, 2.5, 3.0 }).Result(guard) == 7.0, "Submit(double[])");
    Check(pool.Submit(Doubled, new List<int> { 1, 2, 3 }).Result(guard).SequenceEqual([2, 4, 6]), "Submit(List<int>)");
    Check(pool.Map(Square, Enumerable.Range(0, 20)).SequenceEqual(Enumerable.Range(0, 20).Select(x => x * x)), "Map(int)");
    var lists = Enumerable.Range(1, 5).Select(n => Enumerable.Range(0, n).ToList()).ToList();
    Check(pool.Map(Doubled, lists).Select(l => l.Sum()).SequenceEqual(lists.Select(l => 2 * l.Sum())), "Map(List<int>)");
    var greetings = pool.Map(Greet, Enumerable.Range(0, 8).Select(i => $"n{i}")).ToList();
    Check(greetings.All(g => PidOf(g) != me), "Map(string) ran here");
    string workerExe = pool.Submit(WorkerExecutable).Result(guard);
    bool isDotnet = Path.GetFileNameWithoutExtension(workerExe) == "dotnet";
    Check(expectedWorker switch { "dotnet" => isDotnet, "self" => workerExe == Environment.ProcessPath, _ => true },
        $"worker executable '{workerExe}', expected {expectedWorker}");

    if (failures.Count > 0)
    {
        Console.WriteLine($"deploy-check[{mode}]: FAILED: {string.Join("; ", failures)}");
        return 1;
    }
    Console.WriteLine($"deploy-check[{mode}]: OK first-result-ms={firstMs:F0} worker={workerExe} workers={string.Join(',', greetings.Select(PidOf).Distinct())} parent={me}");
}
return 0;

static int PidOf(string greeting) => int.Parse(greeting[(greeting.LastIndexOf(' ') + 1)..]);
static string Greet(string name) => $"hello {name} from {Environment.ProcessId}";
static int Square(int x) => x * x;
static double Sum(double[] values) => values.Sum();
static List<int> Doubled(List<int> values) => values.Select(v => 2 * v).ToList();
static string WorkerExecutable() => Environment.ProcessPath ?? "";
CS

# An empty folder as PATH: no `dotnet` (on this machine /usr/bin/dotnet exists, so /usr/bin won't do).
mkdir -p "$work/empty-path" "$work/elsewhere"

new_project() { # dir, extra properties
  mkdir -p "$1"
  cp "$work/Program.cs" "$1/Program.cs"
  cat > "$1/App.csproj" <<XML
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <OutputType>Exe</OutputType>
    <TargetFramework>net10.0</TargetFramework>
    <Nullable>enable</Nullable>
    <ImplicitUsings>enable</ImplicitUsings>
    $2
  </PropertyGroup>
  <ItemGroup>
    <PackageReference Include="Futures" Version="$version" />
  </ItemGroup>
</Project>
XML
}

# How many times each app runs (DEPLOY_CHECK_RUNS=5 for the README's figures): every run must pass;
# the summary gives the median new pool → first result.
runs="${DEPLOY_CHECK_RUNS:-1}"

declare -A result time_ms
modes=()
record() { # mode, build status, run log
  local oks
  modes+=("$1")
  oks="$(grep -a -c "deploy-check\[$1\]: OK " "$3")"
  time_ms[$1]="$(sed -n 's/.*deploy-check\[.*\]: OK first-result-ms=\([0-9]*\).*/\1/p' "$3" | sort -n | awk '{v[NR]=$1} END {if (NR) print v[int((NR+1)/2)]; else print "-"}')"
  if [ "$oks" = "$runs" ] && [ "$2" = 0 ]; then result[$1]=pass
  elif [ "$oks" = "$runs" ]; then result[$1]="fail (ran, but its build warned)"
  else result[$1]=fail; time_ms[$1]="-"
  fi
}

# Builds or publishes, output in $work/logs/<name>.build. Returns 0, or 1 when the build failed, or 2
# when it warned: a warning fails the mode (the user would see it in their own build), but it still runs.
build() { # name, command...
  local name="$1" log="$work/logs/$1.build"
  shift
  mkdir -p "$work/logs"
  if ! nice "$@" >"$log" 2>&1; then echo "deploy-check: build of $name failed:"; tail -n 30 "$log"; return 1; fi
  if grep -a ': warning ' "$log" | grep -q .; then
    echo "deploy-check: build of $name warned:"; grep -a ': warning ' "$log" | sort -u | head -n 20; return 2
  fi
}

# Runs a mode from another directory: a published app (how=published) with nothing of the SDK's
# environment and no dotnet on PATH; `dotnet run` (how=dotnet) through the CLI's full path, with PATH
# as short as this machine allows.
try_mode() { # mode, build-ok (0/1), how, command...
  local mode="$1" built="$2" how="$3" log="$work/logs/$1.run"
  shift 3
  echo "== deploy-check: $mode"
  : >"$log"
  if [ "$built" = 1 ]; then
    echo "deploy-check[$mode]: not run, its build failed" | tee "$log"
  else
    for ((i = 0; i < runs; i++)); do
      if [ "$how" = published ]; then
        (cd "$work/elsewhere" && timeout 300 env -i HOME="$HOME" PATH="$work/empty-path" "$@") >>"$log" 2>&1
      else
        (cd "$work/elsewhere" && timeout 300 env PATH=/usr/bin:/bin "$@") >>"$log" 2>&1
      fi
    done
    cat "$log"
  fi
  record "$mode" "$built" "$log"
}

# 1. A file-based app: `dotnet run app.cs`, its package by #:package (PublishAot=true by default).
mkdir -p "$work/file-based"
cp "$work/nuget.config" "$work/file-based/"
{ echo "#:package Futures@$version"; cat "$work/Program.cs"; } > "$work/file-based/app.cs"
build file-based "$dotnet_exe" build "$work/file-based/app.cs"; ok=$?
try_mode file-based "$ok" dotnet "$dotnet_exe" run "$work/file-based/app.cs" -- file-based dotnet
# The SDK builds file-based apps in a folder of its own, one per file path: remove this run's.
runfile="$("$dotnet_exe" build "$work/file-based/app.cs" --getProperty:ArtifactsPath 2>/dev/null | tail -n 1)"
[[ "$runfile" == */runfile/app-* ]] && rm -rf "$runfile"

# 2. A PublishAot=true project under `dotnet run` (JIT, on a runtimeconfig that turns reflection off).
new_project "$work/aot-dotnet-run" "<PublishAot>true</PublishAot>"
cp "$work/nuget.config" "$work/aot-dotnet-run/"
build aot-dotnet-run "$dotnet_exe" build "$work/aot-dotnet-run/App.csproj" -c Release; ok=$?
try_mode aot-dotnet-run "$ok" dotnet "$dotnet_exe" run --no-build -c Release --project "$work/aot-dotnet-run/App.csproj" -- aot-dotnet-run dotnet

# 3-8. Publishes, each once, each run as published.
publish() { # name, publish options...
  local name="$1"
  shift
  new_project "$work/$name" ""
  cp "$work/nuget.config" "$work/$name/"
  build "$name" "$dotnet_exe" publish "$work/$name/App.csproj" -c Release -r linux-x64 -o "$work/out/$name" "$@"
}
publish framework-dependent --self-contained false; ok=$?
try_mode framework-dependent-dll "$ok" published "$dotnet_exe" "$work/out/framework-dependent/App.dll" framework-dependent-dll dotnet
try_mode framework-dependent-apphost "$ok" published "$work/out/framework-dependent/App" framework-dependent-apphost dotnet
publish self-contained --self-contained true; ok=$?
try_mode self-contained "$ok" published "$work/out/self-contained/App" self-contained self
publish single-file --self-contained true -p:PublishSingleFile=true; ok=$?
try_mode single-file "$ok" published "$work/out/single-file/App" single-file self
publish single-file-fd --self-contained false -p:PublishSingleFile=true; ok=$?
try_mode single-file-framework-dependent "$ok" published "$work/out/single-file-fd/App" single-file-framework-dependent self
publish trimmed --self-contained true -p:PublishTrimmed=true; ok=$?
try_mode trimmed "$ok" published "$work/out/trimmed/App" trimmed self
publish native-aot -p:PublishAot=true; ok=$?
try_mode native-aot "$ok" published "$work/out/native-aot/App" native-aot self

echo "== deploy-check: summary (new pool → first result, median of $runs run(s))"
status=0
for mode in "${modes[@]}"; do
  if [ "${result[$mode]}" = pass ]; then
    printf '  %-32s %6s ms  %s\n' "$mode" "${time_ms[$mode]}" ok
  else
    printf '  %-32s %6s     %s\n' "$mode" "-" "FAILED: ${result[$mode]}"
    status=1
  fi
done
[ $status = 0 ] && echo "deploy-check: OK" || echo "deploy-check: FAILED"
exit $status
