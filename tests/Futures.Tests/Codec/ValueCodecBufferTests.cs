using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Futures.Codec;

namespace Futures.Tests.Codec;

/// <summary>
/// The codec keeps one JSON writer and buffer per thread between encodes: an encode that runs user
/// code which encodes again on the same thread (a converter that submits to a process pool) must
/// leave both outputs whole, and an encode that failed must not spoil the next one.
/// </summary>
public sealed class ValueCodecBufferTests
{
    [Fact]
    public void Encode_NestedInAConverter_BothOutputsWhole()
    {
        byte[] json = ValueCodec.Encode([new EncodesAgain { Text = "outer" }, 5], [typeof(EncodesAgain), typeof(int)], new BlobList(), ["arg1", "arg2"]);

        object?[] back = ValueCodec.Decode(json, [typeof(EncodesAgain), typeof(int)], new BlobList());
        ((EncodesAgain)back[0]!).Text.Should().Be("outer|[\"inner\"]", "the nested encode's output is whole");
        back[1].Should().Be(5);
    }

    [Fact]
    public void Encode_AfterOneThatThrew_WritesAFreshDocument()
    {
        FluentActions.Invoking(() => ValueCodec.Encode([new Action(() => { })], [typeof(Action)], new BlobList(), ["arg1"]))
            .Should().Throw<ArgumentException>();

        byte[] json = ValueCodec.Encode([42], [typeof(int)], new BlobList(), ["arg1"]);
        Encoding.UTF8.GetString(json).Should().Be("[42]");
    }

    [Fact]
    public void Encode_ManyInARow_EachIsItsOwnArray()
    {
        byte[] first = ValueCodec.Encode(["a long string value to fill the buffer"], [typeof(string)], new BlobList(), ["arg1"]);
        byte[] second = ValueCodec.Encode([1], [typeof(int)], new BlobList(), ["arg1"]);

        Encoding.UTF8.GetString(first).Should().Be("[\"a long string value to fill the buffer\"]");
        Encoding.UTF8.GetString(second).Should().Be("[1]");
    }

    /// <summary>Its converter encodes another value with the codec while the outer encode is under way.</summary>
    [JsonConverter(typeof(EncodesAgainConverter))]
    public sealed class EncodesAgain
    {
        public string Text { get; set; } = "";
    }

    public sealed class EncodesAgainConverter : JsonConverter<EncodesAgain>
    {
        public override EncodesAgain Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            new() { Text = reader.GetString()! };

        public override void Write(Utf8JsonWriter writer, EncodesAgain value, JsonSerializerOptions options)
        {
            byte[] inner = ValueCodec.Encode(["inner"], [typeof(string)], new BlobList(), ["inner"]);
            writer.WriteStringValue(value.Text + "|" + Encoding.UTF8.GetString(inner));
        }
    }
}
