using Manyi.Persistence.Records;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Manyi.Persistence;

/// <summary>
/// Manyi's database. The model is shared; <see cref="SqliteManyiDbContext"/> and <see cref="PostgresManyiDbContext"/>
/// exist so that each provider has its own migrations. ASP.NET Core Identity's users and roles live here too, so that a
/// task's completion and its audit line commit in the same database.
/// </summary>
public abstract class ManyiDbContext(DbContextOptions options) : IdentityDbContext<ManyiUser, IdentityRole, string>(options)
{
    public DbSet<WorkflowDefinitionRecord> WorkflowDefinitions => Set<WorkflowDefinitionRecord>();
    public DbSet<WorkflowInstanceRecord> WorkflowInstances => Set<WorkflowInstanceRecord>();
    public DbSet<BookmarkRecord> Bookmarks => Set<BookmarkRecord>();
    public DbSet<TriggerRecord> Triggers => Set<TriggerRecord>();
    public DbSet<JournalEntryRecord> JournalEntries => Set<JournalEntryRecord>();
    public DbSet<IncidentRecord> Incidents => Set<IncidentRecord>();
    public DbSet<QueuedStimulusRecord> QueuedStimuli => Set<QueuedStimulusRecord>();
    public DbSet<ChildEndRecord> ChildEnds => Set<ChildEndRecord>();
    public DbSet<OutboxMessageRecord> OutboxMessages => Set<OutboxMessageRecord>();
    public DbSet<NotificationChannelRecord> NotificationChannels => Set<NotificationChannelRecord>();
    public DbSet<OrganizationRecord> Organizations => Set<OrganizationRecord>();
    public DbSet<OrganizationContactRecord> OrganizationContacts => Set<OrganizationContactRecord>();
    public DbSet<OrganizationMemberRecord> OrganizationMembers => Set<OrganizationMemberRecord>();
    public DbSet<HumanTaskRecord> Tasks => Set<HumanTaskRecord>();
    public DbSet<StoredFileRecord> Files => Set<StoredFileRecord>();
    public DbSet<TaskDraftRecord> TaskDrafts => Set<TaskDraftRecord>();
    public DbSet<AuditEntryRecord> AuditEntries => Set<AuditEntryRecord>();
    public DbSet<TrainingSeatRecord> TrainingSeats => Set<TrainingSeatRecord>();
    public DbSet<RehearsalRecord> Rehearsals => Set<RehearsalRecord>();

    /// <summary>
    /// Holds a role's row until the transaction ends, so that two transactions that count the role's members and then
    /// change them (two administrators demoting each other) run one after the other. SQLite needs nothing: it has one
    /// writer at a time.
    /// </summary>
    public virtual Task LockRoleAsync(string normalizedName, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// Holds a task's files until the transaction ends, so that two uploads that count the task's bytes and then add a
    /// file run one after the other. SQLite needs nothing: its write transactions are serial (begun IMMEDIATE).
    /// </summary>
    public virtual Task LockTaskFilesAsync(string taskId, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// Holds a year's training seats until the transaction ends, so that two sign-ups that count the seats left and then
    /// take some (or a withdrawal and a sign-up) run one after the other and never over-fill a session. SQLite needs
    /// nothing: it has one writer at a time.
    /// </summary>
    public virtual Task LockTrainingSeatsAsync(int year, CancellationToken cancellationToken) => Task.CompletedTask;

    protected override void OnModelCreating(ModelBuilder model)
    {
        base.OnModelCreating(model);
        MapIdentity(model);
        MapPeople(model);
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
            e.Property(m => m.ClaimedBy).HasMaxLength(64);
            e.HasIndex(m => new { m.ChannelId, m.Status });
        });
        model.Entity<NotificationChannelRecord>(e =>
        {
            e.ToTable("notification_channels");
            e.Property(c => c.Kind).HasMaxLength(16);
            e.Property(c => c.Name).HasMaxLength(NotificationChannelLimits.MaxNameLength);
        });
        model.Entity<ChildEndRecord>(e =>
        {
            e.ToTable("child_ends");
            e.Property(c => c.ParentInstanceId).HasMaxLength(64);
            e.Property(c => c.ChildInstanceId).HasMaxLength(64);
            // Unique: a child's end delivered twice is recorded once.
            e.HasIndex(c => new { c.ParentInstanceId, c.ChildInstanceId }).IsUnique();
        });
        model.Entity<QueuedStimulusRecord>(e =>
        {
            e.ToTable("queued_stimuli");
            e.HasIndex(q => new { q.Name, q.Key });
            e.HasIndex(q => q.ExpiresAt);
        });
    }

    private static void MapIdentity(ModelBuilder model)
    {
        model.Entity<ManyiUser>(e =>
        {
            e.ToTable("users");
            e.Property(u => u.DisplayName).HasMaxLength(ManyiUser.MaxDisplayNameLength);
            e.Property(u => u.TimeZone).HasMaxLength(64);
        });
        model.Entity<IdentityRole>().ToTable("roles");
        model.Entity<IdentityUserRole<string>>().ToTable("user_roles");
        model.Entity<IdentityUserClaim<string>>().ToTable("user_claims");
        model.Entity<IdentityUserLogin<string>>().ToTable("user_logins");
        model.Entity<IdentityUserToken<string>>().ToTable("user_tokens");
        model.Entity<IdentityRoleClaim<string>>().ToTable("role_claims");
    }

    private static void MapPeople(ModelBuilder model)
    {
        model.Entity<OrganizationRecord>(e =>
        {
            e.ToTable("organizations");
            e.Property(o => o.Id).HasMaxLength(OrganizationRecord.MaxIdLength);
            e.Property(o => o.Name).HasMaxLength(100);
            e.Property(o => o.Operator).HasMaxLength(32);
            e.Property(o => o.City).HasMaxLength(32);
            e.Property(o => o.Level).HasConversion<string>().HasMaxLength(16);
            e.Property(o => o.LastRating).HasMaxLength(8);
            e.HasIndex(o => o.Name).IsUnique();
            e.HasMany(o => o.Contacts).WithOne().HasForeignKey(c => c.OrganizationId).OnDelete(DeleteBehavior.Cascade);
        });
        model.Entity<OrganizationContactRecord>(e =>
        {
            e.ToTable("organization_contacts");
            e.Property(c => c.OrganizationId).HasMaxLength(OrganizationRecord.MaxIdLength);
            e.Property(c => c.Name).HasMaxLength(100);
            e.Property(c => c.Email).HasMaxLength(256);
            e.Property(c => c.Phone).HasMaxLength(32);
        });
        model.Entity<OrganizationMemberRecord>(e =>
        {
            e.ToTable("organization_members");
            e.HasKey(m => new { m.UserId, m.OrganizationId });
            e.Property(m => m.OrganizationId).HasMaxLength(OrganizationRecord.MaxIdLength);
            e.HasIndex(m => m.OrganizationId);
            e.HasOne<ManyiUser>().WithMany().HasForeignKey(m => m.UserId).OnDelete(DeleteBehavior.Cascade);
            e.HasOne<OrganizationRecord>().WithMany().HasForeignKey(m => m.OrganizationId).OnDelete(DeleteBehavior.Cascade);
        });
        model.Entity<HumanTaskRecord>(e =>
        {
            e.ToTable("tasks");
            e.Property(t => t.Id).HasMaxLength(64);
            e.Property(t => t.InstanceId).HasMaxLength(64);
            e.Property(t => t.ActivityId).HasMaxLength(128);
            e.Property(t => t.DefinitionId).HasMaxLength(WorkflowDefinitionRecord.MaxDefinitionIdLength);
            e.Property(t => t.Stage).HasMaxLength(64);
            e.Property(t => t.Title).HasMaxLength(512);
            e.Property(t => t.AssigneeRole).HasMaxLength(32);
            e.Property(t => t.OrganizationId).HasMaxLength(OrganizationRecord.MaxIdLength);
            e.Property(t => t.Status).HasConversion<string>().HasMaxLength(16);
            e.Property(t => t.Outcome).HasMaxLength(64);
            e.Property(t => t.ClosedByName).HasMaxLength(256);
            e.Property(t => t.Revision).IsConcurrencyToken();
            e.HasIndex(t => t.InstanceId);
            e.HasIndex(t => new { t.OrganizationId, t.Status, t.DueAt });
            e.HasIndex(t => new { t.AssigneeUserId, t.Status });
            e.HasIndex(t => new { t.Status, t.DueAt });
        });
        model.Entity<TrainingSeatRecord>(e =>
        {
            e.ToTable("training_seats");
            e.HasKey(s => new { s.Year, s.OrganizationId });
            e.Property(s => s.OrganizationId).HasMaxLength(OrganizationRecord.MaxIdLength);
            e.Property(s => s.SessionId).HasMaxLength(64);
            e.Property(s => s.Status).HasConversion<string>().HasMaxLength(16);
            e.Property(s => s.InstanceId).HasMaxLength(64);
            e.HasIndex(s => new { s.Year, s.SessionId, s.Status, s.ReceivedAt });
        });
        model.Entity<StoredFileRecord>(e =>
        {
            e.ToTable("files");
            e.Property(f => f.Id).HasMaxLength(64);
            e.Property(f => f.TaskId).HasMaxLength(64);
            e.Property(f => f.OrganizationId).HasMaxLength(OrganizationRecord.MaxIdLength);
            e.Property(f => f.FileName).HasMaxLength(255);
            e.Property(f => f.ContentType).HasMaxLength(128);
            e.Property(f => f.Sha256).HasMaxLength(64);
            e.Property(f => f.StoragePath).HasMaxLength(512);
            e.HasIndex(f => f.TaskId);
        });
        model.Entity<TaskDraftRecord>(e =>
        {
            e.ToTable("task_drafts");
            e.HasKey(d => d.TaskId);
            e.Property(d => d.TaskId).HasMaxLength(64);
            e.HasOne<HumanTaskRecord>().WithMany().HasForeignKey(d => d.TaskId).OnDelete(DeleteBehavior.Cascade);
        });
        model.Entity<RehearsalRecord>(e =>
        {
            e.ToTable("rehearsals");
            e.Property(r => r.Id).HasMaxLength(64);
            e.Property(r => r.CreatedByUserId).HasMaxLength(450);
            e.Property(r => r.CreatedByName).HasMaxLength(256);
            e.HasIndex(r => r.CreatedAt);
        });
        model.Entity<AuditEntryRecord>(e =>
        {
            e.ToTable("audit_entries");
            e.Property(a => a.Action).HasMaxLength(64);
            e.Property(a => a.SubjectType).HasMaxLength(32);
            e.Property(a => a.SubjectId).HasMaxLength(128);
            e.Property(a => a.UserName).HasMaxLength(256);
            e.Property(a => a.Address).HasMaxLength(64);
            e.HasIndex(a => a.At);
            e.HasIndex(a => new { a.SubjectType, a.SubjectId });
            e.HasIndex(a => a.UserId);
        });
    }
}

public sealed class PostgresManyiDbContext(DbContextOptions<PostgresManyiDbContext> options) : ManyiDbContext(options)
{
    public override async Task LockRoleAsync(string normalizedName, CancellationToken cancellationToken) =>
        await Database.ExecuteSqlAsync($"SELECT 1 FROM roles WHERE \"NormalizedName\" = {normalizedName} FOR UPDATE", cancellationToken);

    // An advisory lock: the task's row may not exist yet (or at all, for a file stored outside a workflow).
    public override async Task LockTaskFilesAsync(string taskId, CancellationToken cancellationToken) =>
        await Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock(hashtext({"task-files:" + taskId}))", cancellationToken);

    public override async Task LockTrainingSeatsAsync(int year, CancellationToken cancellationToken) =>
        await Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock(hashtext({"training_seats:" + year}))", cancellationToken);
}

public sealed class SqliteManyiDbContext(DbContextOptions<SqliteManyiDbContext> options) : ManyiDbContext(options)
{
    protected override void ConfigureConventions(ModelConfigurationBuilder configuration)
    {
        // SQLite has no date type: store instants as UTC ticks so that they sort and compare in SQL.
        configuration.Properties<DateTimeOffset>().HaveConversion<DateTimeOffsetToBinaryConverter>();
    }
}
