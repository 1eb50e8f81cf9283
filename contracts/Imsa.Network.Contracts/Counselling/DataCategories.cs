namespace Imsa.Network.Contracts.Counselling;

/// <summary>
/// The categories of a case's data a consent can release, as codes. Special categories (GDPR Art. 9: health,
/// vulnerability, exploitation) are released only by a consent that says so explicitly.
/// </summary>
public static class DataCategories
{
    public const string Identity = "identity";
    public const string Contact = "contact";
    public const string MigrationPlan = "migration-plan";
    public const string LanguageAndQualifications = "language-and-qualifications";
    public const string CounsellingHistory = "counselling-history";
    public const string NeedsAndOpenTasks = "needs-and-open-tasks";
    public const string SpecialCategories = "special-categories";

    public static readonly IReadOnlyList<string> All =
        [Identity, Contact, MigrationPlan, LanguageAndQualifications, CounsellingHistory, NeedsAndOpenTasks, SpecialCategories];
}
