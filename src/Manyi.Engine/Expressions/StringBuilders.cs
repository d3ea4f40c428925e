using Jint;
using Jint.Native;
using Jint.Runtime;
using Jint.Runtime.Descriptors;
using Jint.Runtime.Interop;
using JintEngine = Jint.Engine;

namespace Manyi.Engine.Expressions;

/// <summary>
/// Wraps the built-ins whose result length a script chooses with one number (<c>repeat</c>, <c>padStart</c>,
/// <c>padEnd</c>, <c>join</c>): each refuses, before allocating, a string longer than the result limit. Jint's memory
/// limit is checked only between statements, too late for a single call that allocates gigabytes.
/// </summary>
internal static class StringBuilders
{
    public static void Guard(JintEngine engine, int maxLength, uint maxArraySize)
    {
        var strings = engine.GetValue("String").AsObject().Get("prototype").AsObject();
        Wrap(engine, strings, "repeat", (self, args) =>
            (double)TypeConverter.ToString(self).Length * TypeConverter.ToNumber(Arg(args, 0)));
        Wrap(engine, strings, "padStart", (_, args) => TypeConverter.ToNumber(Arg(args, 0)));
        Wrap(engine, strings, "padEnd", (_, args) => TypeConverter.ToNumber(Arg(args, 0)));
        var arrays = engine.GetValue("Array").AsObject().Get("prototype").AsObject();
        Wrap(engine, arrays, "join", (self, args) => JoinedLength(self, args, maxArraySize));

        void Wrap(JintEngine e, Jint.Native.Object.ObjectInstance prototype, string name, Func<JsValue, JsValue[], double> length)
        {
            var original = prototype.Get(name);
            var guarded = new ClrFunction(e, name, (self, args) =>
            {
                var projected = length(self, args);
                if (projected > maxLength)
                    throw new ExpressionException($"JavaScript failed: {name} would make a string of {projected:N0} characters. " +
                                                  JavaScriptEvaluator.TooLong((long)Math.Min(projected, long.MaxValue), maxLength));
                return e.Call(original, self, args);
            }, 1);
            prototype.DefineOwnProperty(name, new PropertyDescriptor(guarded, writable: true, enumerable: false, configurable: true));
        }
    }

    private static JsValue Arg(JsValue[] args, int index) => index < args.Length ? args[index] : JsValue.Undefined;

    /// <summary>The joined length, counting separators and string elements (others are short or bounded by their own join).</summary>
    private static double JoinedLength(JsValue self, JsValue[] args, uint maxArraySize)
    {
        if (!self.IsObject()) return 0;
        var array = self.AsObject();
        var count = TypeConverter.ToNumber(array.Get("length"));
        if (count <= 0 || double.IsNaN(count)) return 0;
        var separator = Arg(args, 0).IsUndefined() ? 1 : TypeConverter.ToString(Arg(args, 0)).Length;
        if (count > maxArraySize) return count * Math.Max(separator, 1);
        double total = separator * (count - 1);
        for (uint i = 0; i < (uint)count; i++)
            if (array.Get(i) is { } item && item.IsString()) total += item.AsString().Length;
        return total;
    }
}
