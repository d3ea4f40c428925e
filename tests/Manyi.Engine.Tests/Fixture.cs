using Manyi.Engine.Model;
using Manyi.Engine.Serialization;

namespace Manyi.Engine.Tests;

/// <summary>The Elsa 3 workflow files under Fixtures/, copied next to the test assembly.</summary>
internal static class Fixture
{
    public static string PathOf(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", name);

    public static byte[] Bytes(string name) => File.ReadAllBytes(PathOf(name));

    /// <summary>Reads a fixture through the byte path, as an uploaded file is read (byte-order mark included).</summary>
    public static WorkflowDefinition Load(string name) => ElsaJson.Read(Bytes(name));
}
