using System.Collections.Frozen;

namespace Manyi.Engine.Activities;

/// <summary>Every registered activity type, by Elsa type name. Registration is one line per activity in <c>AddManyiEngine</c>.</summary>
public sealed class ActivityRegistry
{
    private readonly FrozenDictionary<string, ActivityDescriptor> _byTypeName;

    public ActivityRegistry(IEnumerable<ActivityRegistration> registrations)
    {
        var descriptors = new Dictionary<string, ActivityDescriptor>(StringComparer.Ordinal);
        foreach (var registration in registrations)
        {
            var descriptor = ActivityDescriptor.Describe(registration.Type);
            foreach (var name in descriptor.Aliases.Prepend(descriptor.TypeName))
                if (!descriptors.TryAdd(name, descriptor) && descriptors[name].ClrType != registration.Type)
                    throw new InvalidOperationException($"Two activities claim the type name '{name}'.");
        }
        _byTypeName = descriptors.ToFrozenDictionary(StringComparer.Ordinal);
    }

    public IEnumerable<ActivityDescriptor> All => _byTypeName.Values.Distinct().OrderBy(d => d.Category).ThenBy(d => d.TypeName);

    public ActivityDescriptor? Find(string typeName) => _byTypeName.GetValueOrDefault(typeName);

    /// <summary>The descriptor of an activity class that is not registered under a type name of its own (a workflow used as an activity).</summary>
    public ActivityDescriptor Describe(Type type) => _unregistered.GetOrAdd(type, ActivityDescriptor.Describe);

    private readonly System.Collections.Concurrent.ConcurrentDictionary<Type, ActivityDescriptor> _unregistered = new();
}

/// <summary>One activity type registered with the engine.</summary>
public sealed record ActivityRegistration(Type Type);
