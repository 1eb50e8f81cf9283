using System.Globalization;
using Imsa.Network.Contracts.Counselling;
using Imsa.Network.Counselling.Domain;
using Imsa.Network.Counselling.Domain.ConsentTexts;
using Imsa.Network.Reference;
using ConsentTextCatalog = Imsa.Network.Counselling.Domain.ConsentTexts.ConsentTexts;

namespace Imsa.Network.Counselling.Tests;

public sealed class ConsentRecordingTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 2, 9, 30, 0, TimeSpan.Zero);
    private static readonly DateOnly Arrival = new(2026, 8, 1);

    private static readonly Guid Owner = Id(1);
    private static readonly Guid Receiver = Id(2);
    private static readonly Guid SecondReceiver = Id(3);
    private static readonly Guid UnknownOrganisation = Id(4);
    private static readonly Guid OriginPartner = Id(5);
    private static readonly Guid SuspendedReceiver = Id(6);
    private static readonly Guid NeverHeardOf = Id(7);

    // Receiving services in good standing, enough to go over the limit.
    private static readonly Guid[] Many = [.. Enumerable.Range(100, Consent.MaxRecipients + 1).Select(Id)];

    private static readonly Dictionary<Guid, RecipientStanding> Standing = new Dictionary<Guid, RecipientStanding>
    {
        [Receiver] = RecipientStanding.Eligible,
        [SecondReceiver] = RecipientStanding.Eligible,
        [UnknownOrganisation] = RecipientStanding.Unknown,
        [OriginPartner] = RecipientStanding.NotReceivingService,
        [SuspendedReceiver] = RecipientStanding.SuspendedOrRetired,
    }.Concat(Many.Select(id => KeyValuePair.Create(id, RecipientStanding.Eligible))).ToDictionary();

    private static readonly Case OpenCase = new()
    {
        Id = Id(50),
        OwnerOrganisationId = Owner,
        Status = CaseStatus.Open,
        OpenedAt = Now.AddDays(-10),
        UpdatedAt = Now.AddDays(-10),
        Purpose = MigrationPurposes.VocationalTraining,
    };

    private static readonly ConsentText English = ConsentTextCatalog.Seeds.Single(t => t.Language == "en" && t.Version == "1");
    private static readonly ConsentText German = ConsentTextCatalog.Seeds.Single(t => t.Language == "de" && t.Version == "1");

    private static readonly RecordConsentRequest Valid = new(
        Recipients: [Receiver],
        Categories: [DataCategories.Identity, DataCategories.Contact],
        ExplicitSpecialCategories: false,
        Method: "signed-form",
        ObtainedAt: Now.AddHours(-1),
        TextLanguage: "en",
        TextVersion: "1",
        TextSha256: English.Sha256,
        ValidUntil: Now.AddYears(1),
        ValidFrom: null,
        Purpose: "continuation-of-counselling");

    // Each breaks one rule of valid terms, and names the field the API reports it at.
    private static readonly Dictionary<string, (string Field, RecordConsentRequest Terms, DateOnly? PlannedArrival)> Broken = new()
    {
        ["no recipients"] = ("recipients", Valid with { Recipients = null }, Arrival),
        ["an empty list of recipients"] = ("recipients", Valid with { Recipients = [] }, Arrival),
        ["21 recipients"] = ("recipients", Valid with { Recipients = Many }, Arrival),
        ["a recipient named twice"] = ("recipients", Valid with { Recipients = [Receiver, SecondReceiver, Receiver] }, Arrival),
        ["an unknown recipient"] = ("recipients[1]", Valid with { Recipients = [Receiver, UnknownOrganisation] }, Arrival),
        ["a recipient never heard of"] = ("recipients[2]", Valid with { Recipients = [Receiver, SecondReceiver, NeverHeardOf] }, Arrival),
        ["a recipient that is not a receiving service"] = ("recipients[0]", Valid with { Recipients = [OriginPartner] }, Arrival),
        ["a suspended or retired recipient"] = ("recipients[0]", Valid with { Recipients = [SuspendedReceiver, Receiver] }, Arrival),
        ["no categories"] = ("categories", Valid with { Categories = null }, Arrival),
        ["an empty list of categories"] = ("categories", Valid with { Categories = [] }, Arrival),
        ["an unknown category"] = ("categories", Valid with { Categories = [DataCategories.Identity, "health"] }, Arrival),
        ["a category named twice"] = ("categories", Valid with { Categories = [DataCategories.Identity, DataCategories.Contact, DataCategories.Identity] }, Arrival),
        ["special categories without explicit consent"] = ("explicitSpecialCategories",
            Valid with { Categories = [DataCategories.Identity, DataCategories.SpecialCategories], ExplicitSpecialCategories = false }, Arrival),
        ["no method"] = ("method", Valid with { Method = null }, Arrival),
        ["an unknown method"] = ("method", Valid with { Method = "fax" }, Arrival),
        ["a method spelled as in the code"] = ("method", Valid with { Method = "SignedForm" }, Arrival),
        ["statistics as the purpose"] = ("purpose", Valid with { Purpose = "statistics" }, Arrival),
        ["an unknown text version"] = ("textVersion", Valid with { TextVersion = "2", TextSha256 = null }, Arrival),
        ["a text language that does not ship"] = ("textVersion", Valid with { TextLanguage = "tr", TextSha256 = null }, Arrival),
        ["no text version"] = ("textVersion", Valid with { TextVersion = null, TextSha256 = null }, Arrival),
        ["the hash of another text"] = ("textSha256", Valid with { TextSha256 = German.Sha256 }, Arrival),
        ["a made-up hash"] = ("textSha256", Valid with { TextSha256 = new string('0', 64) }, Arrival),
        ["no obtainedAt"] = ("obtainedAt", Valid with { ObtainedAt = null }, Arrival),
        ["obtained more than 5 minutes ahead"] = ("obtainedAt", Valid with { ObtainedAt = Now.AddMinutes(5).AddSeconds(1) }, Arrival),
        ["obtained more than 90 days before the case was opened"] = ("obtainedAt",
            Valid with { ObtainedAt = OpenCase.OpenedAt.AddDays(-90).AddSeconds(-1) }, Arrival),
        ["obtained after the planned arrival"] = ("obtainedAt", Valid, new DateOnly(2026, 3, 1)),
        ["no validUntil"] = ("validUntil", Valid with { ValidUntil = null }, Arrival),
        ["validUntil at validFrom"] = ("validUntil", Valid with { ValidFrom = Now.AddDays(10), ValidUntil = Now.AddDays(10) }, Arrival),
        ["validUntil before validFrom"] = ("validUntil", Valid with { ValidFrom = Now.AddDays(10), ValidUntil = Now.AddDays(5) }, Arrival),
        ["validUntil passed"] = ("validUntil", Valid with { ValidFrom = Now.AddDays(-30), ValidUntil = Now.AddDays(-1) }, Arrival),
        ["validUntil more than five years ahead"] = ("validUntil", Valid with { ValidUntil = Now.AddYears(5).AddSeconds(1) }, Arrival),
        ["validUntil more than five years after a later validFrom"] = ("validUntil",
            Valid with { ValidFrom = Now.AddDays(30), ValidUntil = Now.AddDays(30).AddYears(5).AddDays(1) }, Arrival),
        ["validFrom more than ten years ahead"] = ("validFrom", Valid with { ValidFrom = Now.AddYears(10).AddDays(1), ValidUntil = Now.AddYears(11) }, Arrival),
        ["validFrom at the end of the calendar"] = ("validFrom",
            Valid with { ValidFrom = DateTimeOffset.MaxValue.AddYears(-1), ValidUntil = DateTimeOffset.MaxValue }, Arrival),
    };

    // Each is just within a rule, or leaves out what is optional.
    private static readonly Dictionary<string, (RecordConsentRequest Terms, DateOnly? PlannedArrival)> Within = new()
    {
        ["20 recipients"] = (Valid with { Recipients = Many[..Consent.MaxRecipients] }, Arrival),
        ["special categories with explicit consent"] = (
            Valid with { Categories = [DataCategories.SpecialCategories], ExplicitSpecialCategories = true }, Arrival),
        ["verbal with witness as the method"] = (Valid with { Method = "verbal-with-witness" }, Arrival),
        ["no purpose"] = (Valid with { Purpose = null }, Arrival),
        ["no text hash"] = (Valid with { TextSha256 = null }, Arrival),
        ["the text hash in upper case"] = (Valid with { TextSha256 = English.Sha256.ToUpperInvariant() }, Arrival),
        ["the German text"] = (Valid with { TextLanguage = "de", TextSha256 = German.Sha256 }, Arrival),
        ["obtained 5 minutes ahead"] = (Valid with { ObtainedAt = Now.AddMinutes(5) }, Arrival),
        ["obtained 90 days before the case was opened"] = (Valid with { ObtainedAt = OpenCase.OpenedAt.AddDays(-90) }, Arrival),
        ["obtained on the day of arrival"] = (Valid, DateOnly.FromDateTime(Now.UtcDateTime)),
        ["no planned arrival"] = (Valid, null),
        ["valid for exactly five years"] = (Valid with { ValidUntil = Now.AddYears(5) }, Arrival),
        ["valid from a later day, for five years"] = (Valid with { ValidFrom = Now.AddDays(30), ValidUntil = Now.AddDays(30).AddYears(5) }, Arrival),
        ["valid from ten years ahead"] = (Valid with { ValidFrom = Now.AddYears(10), ValidUntil = Now.AddYears(11) }, Arrival),
    };

    public static TheoryData<string, string> BrokenRules
    {
        get
        {
            var data = new TheoryData<string, string>();
            foreach (var (rule, broken) in Broken)
            {
                data.Add(rule, broken.Field);
            }

            return data;
        }
    }

    public static TheoryData<string> Limits => [.. Within.Keys];

    [Fact]
    public void Record_ValidTerms_GiveAConsentOnThoseTerms()
    {
        var (recorded, errors) = Consent.Record(Valid, Context());

        errors.Should().BeEmpty();
        recorded!.Consent.Should().BeEquivalentTo(new
        {
            CaseId = OpenCase.Id,
            OwnerOrganisationId = Owner,
            RecordedAt = Now,
            RecordedByOrganisationId = Owner,
            RecordedByClientId = "partner-system",
            ObtainedAt = Now.AddHours(-1),
            Method = ConsentMethod.SignedForm,
            TextLanguage = "en",
            TextVersion = "1",
            TextSha256 = English.Sha256,
            Purpose = ConsentPurpose.ContinuationOfCounselling,
            Recipients = new[] { Receiver },
            Categories = new[] { DataCategories.Identity, DataCategories.Contact },
            ExplicitSpecialCategories = false,
            ValidFrom = Now,
            ValidUntil = Now.AddYears(1),
            Withdrawal = (ConsentWithdrawal?)null,
        });
        recorded.Consent.StateAt(Now).Should().Be(ConsentState.Active);
    }

    [Fact]
    public void Record_ValidTerms_AnnounceConsentGranted_WithTheCategoriesInTheirCanonicalOrder()
    {
        var terms = Valid with
        {
            Recipients = [SecondReceiver, Receiver],
            Categories = [DataCategories.NeedsAndOpenTasks, DataCategories.Contact, DataCategories.Identity],
            ValidFrom = Now.AddDays(1),
        };

        var (recorded, _) = Consent.Record(terms, Context());

        recorded!.Granted.Should().BeEquivalentTo(new
        {
            ConsentId = recorded.Consent.Id,
            CaseId = OpenCase.Id,
            OwnerOrganisationId = Owner,
            Recipients = new[] { SecondReceiver, Receiver },
            Categories = new[] { DataCategories.Identity, DataCategories.Contact, DataCategories.NeedsAndOpenTasks },
            Purpose = "continuation-of-counselling",
            ValidFrom = Now.AddDays(1),
            ValidUntil = Now.AddYears(1),
            At = Now,
        });
        recorded.Granted.Categories.Should().Equal(DataCategories.Identity, DataCategories.Contact, DataCategories.NeedsAndOpenTasks);
        recorded.Consent.Categories.Should().Equal(recorded.Granted.Categories);
    }

    [Fact]
    public void Record_GivesAWithdrawalCode_AndKeepsOnlyItsHash()
    {
        var (recorded, _) = Consent.Record(Valid, Context());

        recorded!.WithdrawalCode.Should().MatchRegex("^[0-9A-Z]{4}(-[0-9A-Z]{4}){4}$");
        recorded.Consent.WithdrawalCodeHash.Should().Equal(WithdrawalCodes.Hash(recorded.WithdrawalCode));
    }

    [Fact]
    public void Record_TwoConsents_GetTwoCodes()
    {
        var first = Consent.Record(Valid, Context()).Recorded!;
        var second = Consent.Record(Valid, Context()).Recorded!;

        second.WithdrawalCode.Should().NotBe(first.WithdrawalCode);
        second.Consent.Id.Should().NotBe(first.Consent.Id);
    }

    [Theory]
    [MemberData(nameof(BrokenRules))]
    public void Record_BreakingOneRule_IsRefusedNamingItsField(string rule, string field)
    {
        var (_, terms, plannedArrival) = Broken[rule];

        var (recorded, errors) = Consent.Record(terms, Context(plannedArrival));

        recorded.Should().BeNull();
        errors.Keys.Should().Equal(field);
        errors[field].Should().ContainSingle().Which.Should().NotBeNullOrWhiteSpace();
    }

    [Theory]
    [MemberData(nameof(Limits))]
    public void Record_JustWithinTheRules_IsRecorded(string limit)
    {
        var (terms, plannedArrival) = Within[limit];

        var (recorded, errors) = Consent.Record(terms, Context(plannedArrival));

        errors.Should().BeEmpty();
        recorded.Should().NotBeNull();
    }

    [Fact]
    public void Record_WithSeveralWrongFields_NamesThemAll()
    {
        var terms = Valid with
        {
            Recipients = [OriginPartner, Receiver, SuspendedReceiver],
            Categories = [DataCategories.Identity, "health"],
            Method = "fax",
            ObtainedAt = null,
            ValidUntil = null,
        };

        var (recorded, errors) = Consent.Record(terms, Context());

        recorded.Should().BeNull();
        errors.Keys.Should().BeEquivalentTo("recipients[0]", "recipients[2]", "categories", "method", "obtainedAt", "validUntil");
    }

    [Fact]
    public void Record_ObtainedAfterThePlannedArrival_NamesTheArrival()
    {
        var (_, errors) = Consent.Record(Valid, Context(new DateOnly(2026, 3, 1)));

        errors["obtainedAt"].Single().Should().Contain("2026-03-01");
    }

    [Theory]
    [InlineData(WithdrawalChannel.OwnerPartner, "owner-partner")]
    [InlineData(WithdrawalChannel.ReceivingService, "receiving-service")]
    [InlineData(WithdrawalChannel.DataSubject, "data-subject")]
    public void End_ByAChannel_RecordsTheWithdrawal_AndAnnouncesConsentWithdrawnWithTheChannelsCode(WithdrawalChannel channel, string code)
    {
        var consent = Recorded();
        Guid? by = channel switch
        {
            WithdrawalChannel.OwnerPartner => Owner,
            WithdrawalChannel.ReceivingService => Receiver,
            _ => null,
        };
        var at = Now.AddDays(20);

        var ended = consent.End(channel, by, at);

        ended.Should().BeOfType<ConsentWithdrawn>().Which.Should().BeEquivalentTo(new
        {
            ConsentId = consent.Id,
            CaseId = OpenCase.Id,
            OwnerOrganisationId = Owner,
            Recipients = new[] { Receiver },
            Channel = code,
            At = at,
        });
        consent.Withdrawal.Should().BeEquivalentTo(new { ConsentId = consent.Id, At = at, Channel = channel, ByOrganisationId = by });
        consent.StateAt(at).Should().Be(ConsentState.Withdrawn);
    }

    [Fact]
    public void End_PastValidUntil_EndsAsExpired_EvenWhenAPersonWithdrawsIt()
    {
        var consent = Recorded();

        var ended = consent.End(WithdrawalChannel.ReceivingService, Receiver, consent.ValidUntil.AddDays(2));

        ended.Should().BeOfType<ConsentExpired>().Which.Should().BeEquivalentTo(new
        {
            ConsentId = consent.Id,
            CaseId = OpenCase.Id,
            OwnerOrganisationId = Owner,
            Recipients = new[] { Receiver },
            At = consent.ValidUntil,
        });
        consent.Withdrawal.Should().BeEquivalentTo(new
        {
            ConsentId = consent.Id, At = consent.ValidUntil, Channel = WithdrawalChannel.Expiry, ByOrganisationId = (Guid?)null,
        });
        consent.StateAt(consent.ValidUntil.AddDays(2)).Should().Be(ConsentState.Expired);
    }

    [Fact]
    public void End_AtValidUntil_EndsAsExpired()
    {
        var consent = Recorded();

        var ended = consent.End(WithdrawalChannel.OwnerPartner, Owner, consent.ValidUntil);

        ended.Should().BeOfType<ConsentExpired>().Which.At.Should().Be(consent.ValidUntil);
        consent.Withdrawal!.Channel.Should().Be(WithdrawalChannel.Expiry);
    }

    [Fact]
    public void End_ByExpiry_AnnouncesConsentExpiredAtValidUntil_NotWhenNoticed()
    {
        var consent = Recorded();

        var ended = consent.End(WithdrawalChannel.Expiry, null, consent.ValidUntil.AddMinutes(1));

        ended.Should().BeOfType<ConsentExpired>().Which.At.Should().Be(consent.ValidUntil);
        consent.Withdrawal!.At.Should().Be(consent.ValidUntil);
    }

    [Fact]
    public void End_Twice_Throws()
    {
        var consent = Recorded();
        consent.End(WithdrawalChannel.DataSubject, null, Now.AddDays(1));

        var again = () => consent.End(WithdrawalChannel.OwnerPartner, Owner, Now.AddDays(2));

        again.Should().Throw<InvalidOperationException>();
        consent.Withdrawal!.Channel.Should().Be(WithdrawalChannel.DataSubject);
    }

    private static ConsentContext Context() => Context(Arrival);

    private static ConsentContext Context(DateOnly? plannedArrival) => new(OpenCase, plannedArrival, Standing, new(Owner, null, "partner-system"), Now, ConsentTextCatalog.Seeds);

    private static Consent Recorded() => Consent.Record(Valid, Context()).Recorded!.Consent;

    private static Guid Id(int n) => new(string.Create(CultureInfo.InvariantCulture, $"0195a000-0000-7000-8000-{n:D12}"));
}
