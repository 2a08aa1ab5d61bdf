using System.Diagnostics;
using System.IO.Compression;
using System.Reflection.Metadata;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace SingleCell.Models.Notebooks.Tests;

/// <summary>
/// Packs the library (from the build this test run made), then builds and runs a fresh console app that takes
/// it from a local folder feed: the package README's C# example is that app's Program.cs, so the example a
/// NuGet user copies is known to compile and run against the package as shipped.
/// </summary>
[Category("Package")]
public class PackageConsumptionTests
{
    [Test]
    public void A_fresh_console_app_runs_the_readme_example_from_the_packed_package()
    {
        string root = Paths.RepositoryRoot() ?? throw new InconclusiveException("Repository root (SingleCell.Models.sln) not found.");
        string configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Debug{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Debug" : "Release";
        string work = Path.Combine(Path.GetTempPath(), "scm-package-" + Guid.NewGuid().ToString("N"));
        string feed = Path.Combine(work, "feed"), app = Path.Combine(work, "app");
        // A version nobody else uses, so the package cannot come from a cache; restored into a private folder.
        string version = "0.0.0-test." + DateTime.UtcNow.ToString("yyyyMMddHHmmss") + "." + Environment.ProcessId;
        Directory.CreateDirectory(app);
        try
        {
            var pack = Run("dotnet", $"pack \"{Path.Combine(root, "src", "SingleCell.Models", "SingleCell.Models.csproj")}\" -c {configuration} --no-build -o \"{feed}\" -p:PackageVersion={version} --nologo", root, 180);
            Assert.That(pack.Code, Is.EqualTo(0), pack.Output);
            string nupkg = Path.Combine(feed, $"SingleCell.Models.{version}.nupkg");
            Assert.That(File.Exists(Path.Combine(feed, $"SingleCell.Models.{version}.snupkg")), "a symbols package beside the package");
            using (var zip = ZipFile.OpenRead(nupkg))
            {
                var entries = zip.Entries.Select(e => e.FullName).ToArray();
                Assert.That(entries, Is.SupersetOf(new[] { "README.md", "lib/net10.0/SingleCell.Models.dll", "lib/net10.0/SingleCell.Models.xml" }));
                Assert.That(entries.Where(e => e.StartsWith("runtimes/", StringComparison.Ordinal)), Is.Empty, "no native assets in the core package");
            }
            AssertSourceLink(Path.Combine(feed, $"SingleCell.Models.{version}.snupkg"), root);

            string readme = File.ReadAllText(Path.Combine(root, "src", "SingleCell.Models", "README.md"));
            var example = Regex.Match(readme, "```csharp\n(.*?)```", RegexOptions.Singleline);
            Assert.That(example.Success, "the package README has a C# example");
            File.WriteAllText(Path.Combine(app, "Program.cs"), example.Groups[1].Value);
            File.WriteAllText(Path.Combine(app, "app.csproj"), $"""
                <Project Sdk="Microsoft.NET.Sdk">
                  <PropertyGroup>
                    <OutputType>Exe</OutputType>
                    <TargetFramework>net10.0</TargetFramework>
                    <ImplicitUsings>enable</ImplicitUsings>
                    <Nullable>enable</Nullable>
                  </PropertyGroup>
                  <ItemGroup>
                    <PackageReference Include="SingleCell.Models" Version="{version}" />
                  </ItemGroup>
                </Project>
                """);
            string userPackages = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
                ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
            File.WriteAllText(Path.Combine(app, "nuget.config"), $"""
                <?xml version="1.0" encoding="utf-8"?>
                <configuration>
                  <config><add key="globalPackagesFolder" value="{Path.Combine(work, "packages")}" /></config>
                  <packageSources><add key="local-feed" value="{feed}" /></packageSources>
                  <fallbackPackageFolders><add key="user-packages" value="{userPackages}" /></fallbackPackageFolders>
                </configuration>
                """);

            var run = Run("dotnet", "run -c Release --nologo", app, 300);
            Assert.That(run.Code, Is.EqualTo(0), run.Output);
            Assert.That(run.Output, Does.Match(@"\d+ cells; negative ELBO per cell after 5 epochs: \d"));
            Assert.That(File.Exists(Path.Combine(app, "screen.h5ad")) && File.Exists(Path.Combine(app, "latents.arrow")), "the example wrote its files");
        }
        finally
        {
            try { Directory.Delete(work, true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    /// <summary>The kind of the SourceLink custom debug information of a portable PDB (dotnet/runtime's PortablePdb-Metadata.md).</summary>
    private static readonly Guid SourceLinkKind = new("CC110556-A091-4D38-9FEC-25AB9A351A6A");

    /// <summary>
    /// The symbols package's portable PDB carries SourceLink: a JSON map from the build's source root to
    /// raw.githubusercontent.com at the repository of Directory.Build.props' RepositoryUrl and the commit built
    /// (Directory.Build.targets supplies the repository when the clone has no GitHub remote).
    /// </summary>
    private static void AssertSourceLink(string snupkg, string root)
    {
        using var zip = ZipFile.OpenRead(snupkg);
        var entry = zip.GetEntry("lib/net10.0/SingleCell.Models.pdb");
        Assert.That(entry, Is.Not.Null, "the symbols package carries lib/net10.0/SingleCell.Models.pdb");
        using var pdb = new MemoryStream();
        using (var s = entry!.Open()) s.CopyTo(pdb);
        pdb.Position = 0;
        using var provider = MetadataReaderProvider.FromPortablePdbStream(pdb);
        var reader = provider.GetMetadataReader();
        var blobs = reader.GetCustomDebugInformation(EntityHandle.ModuleDefinition)
            .Select(reader.GetCustomDebugInformation)
            .Where(c => reader.GetGuid(c.Kind) == SourceLinkKind)
            .Select(c => reader.GetBlobBytes(c.Value)).ToArray();
        if (!Directory.Exists(Path.Combine(root, ".git")) && !File.Exists(Path.Combine(root, ".git")))
        {
            Assert.Ignore("Not built from a git clone: SourceLink needs the commit, so the PDB carries none.");
        }
        Assert.That(blobs, Has.Length.EqualTo(1), "one SourceLink blob in the portable PDB");
        using var json = JsonDocument.Parse(Encoding.UTF8.GetString(blobs[0]));
        var documents = json.RootElement.GetProperty("documents").EnumerateObject().ToArray();
        var repositoryUrl = Regex.Match(File.ReadAllText(Path.Combine(root, "Directory.Build.props")), "<RepositoryUrl>https://github.com/([^<]+?)(?:\\.git)?</RepositoryUrl>");
        Assert.That(repositoryUrl.Success, "Directory.Build.props names a GitHub RepositoryUrl");
        var pattern = new Regex($"^https://raw\\.githubusercontent\\.com/{Regex.Escape(repositoryUrl.Groups[1].Value)}/(?<commit>[0-9a-f]{{40}})/\\*$");
        var mapped = documents.Where(d => d.Name.EndsWith('*') && pattern.IsMatch(d.Value.GetString() ?? "")).ToArray();
        Assert.That(mapped, Is.Not.Empty, $"a document pattern mapped to the repository; got {json.RootElement}");
        // The commit is one of this repository's (HEAD when built; a later commit may have followed since).
        string commit = pattern.Match(mapped[0].Value.GetString()!).Groups["commit"].Value;
        (int Code, string Output) exists;
        try { exists = Run("git", $"cat-file -e {commit}^{{commit}}", root, 30); }
        catch (System.ComponentModel.Win32Exception) { return; } // no git command here; the pattern was checked
        Assert.That(exists.Code, Is.EqualTo(0), $"the mapped commit {commit} is a commit of the repository: {exists.Output}");
    }

    private static (int Code, string Output) Run(string exe, string args, string workingDirectory, int timeoutSeconds)
    {
        var psi = new ProcessStartInfo(exe, args)
        {
            WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        psi.Environment["DOTNET_NOLOGO"] = "1";
        psi.Environment.Remove("MSBuildSDKsPath");
        psi.Environment.Remove("MSBUILD_EXE_PATH");
        using var p = Process.Start(psi)!;
        var output = p.StandardOutput.ReadToEndAsync();
        var error = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(timeoutSeconds * 1000))
        {
            p.Kill(entireProcessTree: true);
            return (-1, $"timed out after {timeoutSeconds} s: {exe} {args}\n{output.Result}{error.Result}");
        }
        return (p.ExitCode, output.Result + error.Result);
    }
}
