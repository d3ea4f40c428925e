using Manyi.Persistence.Records;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Manyi.Persistence;

/// <summary>
/// Manyi's database. The model is shared; <see cref="SqliteManyiDbContext"/> and <see cref="PostgresManyiDbContext"/>
/// exist so that each provider has its own migrations.
/// </summary>
public abstract class ManyiDbContext(DbContextOptions options) : DbContext(options)
{
    public DbSet<WorkflowDefinitionRecord> WorkflowDefinitions => Set<WorkflowDefinitionRecord>();
    public DbSet<WorkflowInstanceRecord> WorkflowInstances => Set<WorkflowInstanceRecord>();
    public DbSet<BookmarkRecord> Bookmarks => Set<BookmarkRecord>();
    public DbSet<TriggerRecord> Triggers => Set<TriggerRecord>();
    public DbSet<JournalEntryRecord> JournalEntries => Set<JournalEntryRecord>();
    public DbSet<IncidentRecord> Incidents => Set<IncidentRecord>();
    public DbSet<QueuedStimulusRecord> QueuedStimuli => Set<QueuedStimulusRecord>();
    public DbSet<OutboxMessageRecord> OutboxMessages => Set<OutboxMessageRecord>();

    protected override void OnModelCreating(ModelBuilder model)
    {
        model.Entity<WorkflowDefinitionRecord>(e =>
        {
            e.ToTable("workflow_definitions");
            e.Property(d => d.Id).HasMaxLength(64);
            e.Property(d => d.DefinitionId).HasMaxLength(WorkflowDefinitionRecord.MaxDefinitionIdLength);
            e.Property(d => d.Status).HasConversion<string>().HasMaxLength(16);
            e.Property(d => d.ContentHash).HasMaxLength(64);
            e.HasIndex(d => new { d.DefinitionId, d.Version }).IsUnique();
            e.HasIndex(d => new { d.DefinitionId, d.Status });
        });
        model.Entity<WorkflowInstanceRecord>(e =>
        {
            e.ToTable("workflow_instances");
            e.Property(i => i.Id).HasMaxLength(64);
            e.Property(i => i.DefinitionId).HasMaxLength(WorkflowDefinitionRecord.MaxDefinitionIdLength);
            e.Property(i => i.DefinitionVersionId).HasMaxLength(64);
            e.Property(i => i.Status).HasMaxLength(16);
            e.Property(i => i.CorrelationId).HasMaxLength(WorkflowInstanceRecord.MaxCorrelationIdLength);
            e.Property(i => i.Revision).IsConcurrencyToken();
            // Few indexes on purpose: every one is written by every burst. Lists sort their (filtered) rows unindexed.
            e.HasIndex(i => new { i.DefinitionId, i.Status });
            e.HasIndex(i => i.CorrelationId);
        });
        model.Entity<BookmarkRecord>(e =>
        {
            e.ToTable("bookmarks");
            e.Property(b => b.Id).HasMaxLength(64);
            e.Property(b => b.InstanceId).HasMaxLength(64);
            e.Property(b => b.Name).HasMaxLength(128);
            e.Property(b => b.Key).HasMaxLength(Manyi.Engine.Runtime.Bookmark.MaxKeyLength);
            e.Property(b => b.JobId).HasMaxLength(128);
            e.HasIndex(b => new { b.Name, b.Key, b.CorrelationId });
            e.HasIndex(b => b.InstanceId);
            // Only timers have a due time; other bookmarks should not pay for this index on every burst.
            e.HasIndex(b => b.ResumeAt).HasFilter("\"ResumeAt\" IS NOT NULL");
        });
        model.Entity<TriggerRecord>(e =>
        {
            e.ToTable("triggers");
            e.HasIndex(t => new { t.Name, t.Key });
            e.HasIndex(t => t.DefinitionId);
            e.HasIndex(t => t.ResumeAt).HasFilter("\"ResumeAt\" IS NOT NULL");
        });
        model.Entity<JournalEntryRecord>(e =>
        {
            e.ToTable("journal_entries");
            e.Property(j => j.InstanceId).HasMaxLength(64);
            e.Property(j => j.Event).HasMaxLength(32);
            e.HasIndex(j => new { j.InstanceId, j.Sequence }).IsUnique();
        });
        model.Entity<IncidentRecord>(e =>
        {
            e.ToTable("incidents");
            e.Property(i => i.Id).HasMaxLength(64);
            e.HasIndex(i => i.InstanceId);
        });
        model.Entity<OutboxMessageRecord>(e =>
        {
            e.ToTable("outbox_messages");
            e.Property(m => m.Key).HasMaxLength(512);
            e.Property(m => m.Kind).HasMaxLength(64);
            e.Property(m => m.Status).HasConversion<string>().HasMaxLength(16);
            e.HasIndex(m => m.Key).IsUnique();
            e.HasIndex(m => new { m.Status, m.CreatedAt });
            e.HasIndex(m => m.InstanceId);
        });
        model.Entity<QueuedStimulusRecord>(e =>
        {
            e.ToTable("queued_stimuli");
            e.HasIndex(q => new { q.Name, q.Key });
            e.HasIndex(q => q.ExpiresAt);
        });
    }
}

public sealed class PostgresManyiDbContext(DbContextOptions<PostgresManyiDbContext> options) : ManyiDbContext(options);

public sealed class SqliteManyiDbContext(DbContextOptions<SqliteManyiDbContext> options) : ManyiDbContext(options)
{
    protected override void ConfigureConventions(ModelConfigurationBuilder configuration)
    {
        // SQLite has no date type: store instants as UTC ticks so that they sort and compare in SQL.
        configuration.Properties<DateTimeOffset>().HaveConversion<DateTimeOffsetToBinaryConverter>();
    }
}
