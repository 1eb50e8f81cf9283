using Imsa.Network.Contracts.Partners;
using Imsa.Network.Handovers.Domain;

namespace Imsa.Network.Handovers.Tests;

public sealed class HandoverOfferTests
{
    private static readonly DateOnly Today = new(2026, 3, 2);

    [Fact]
    public void Refuses_ARequestPassingEveryCheck_IsNull()
    {
        HandoverOffer.Refuses(Request(), Today).Should().BeNull();
        HandoverOffer.Refuses(Facts(), Today).Should().BeNull();
    }

    [Fact]
    public void Refuses_AnUnknownCase_AsCaseNotFound()
    {
        Reason(Request() with { CaseOwned = false }).Should().Be(OfferRefusalReason.CaseNotFound);
    }

    [Fact]
    public void Refuses_AnInactiveOrigin_AsOriginNotActive()
    {
        Reason(Request() with { OriginActive = false }).Should().Be(OfferRefusalReason.OriginNotActive);
    }

    [Fact]
    public void Refuses_AnUnknownReceiver_AsReceiverNotFound()
    {
        Reason(Facts() with { Receiver = null }).Should().Be(OfferRefusalReason.ReceiverNotFound);
    }

    [Theory]
    [InlineData(OrganisationKinds.OriginPartner)]
    [InlineData(OrganisationKinds.TransitPartner)]
    [InlineData(OrganisationKinds.Coordinator)]
    [InlineData(KnownOrganisation.UnknownKind)]
    public void Refuses_AKnownOrganisationThatIsNotAReceivingService_AsReceiverNotFound(string kind)
    {
        var organisation = ReceivingService();
        organisation.Kind = kind;

        Reason(Facts(organisation)).Should().Be(OfferRefusalReason.ReceiverNotFound);
    }

    [Fact]
    public void Refuses_AnInactiveReceiver_AsReceiverNotActive()
    {
        Reason(Facts() with { Active = false }).Should().Be(OfferRefusalReason.ReceiverNotActive);
    }

    [Fact]
    public void Refuses_AReceiverPausedUntilTomorrow_AsReceiverPaused_NamingTheDay()
    {
        var refusal = HandoverOffer.Refuses(Facts(ReceivingService(noCapacityUntil: Today.AddDays(1))), Today);

        refusal!.Reason.Should().Be(OfferRefusalReason.ReceiverPaused);
        refusal.Detail.Should().Contain("2026-03-03");
    }

    [Fact]
    public void Refuses_AReceiverPausedUntilToday_IsNull()
    {
        HandoverOffer.Refuses(Facts(ReceivingService(noCapacityUntil: Today)), Today).Should().BeNull();
        HandoverOffer.Refuses(Facts(ReceivingService(noCapacityUntil: Today.AddDays(-1))), Today).Should().BeNull();
    }

    [Fact]
    public void Refuses_AReceiverNotAccepting_AsReceiverNotAccepting()
    {
        Reason(Facts(ReceivingService(accepting: false))).Should().Be(OfferRefusalReason.ReceiverNotAccepting);
    }

    [Fact]
    public void Refuses_AReceiverThatDeclaredNoCapacity_IsNull()
    {
        var organisation = ReceivingService();
        organisation.Accepting = null;

        HandoverOffer.Refuses(Facts(organisation), Today).Should().BeNull();
    }

    [Theory]
    [InlineData(3)]
    [InlineData(4)]
    public void Refuses_AReceiverAtOrOverItsMaximum_AsReceiverFull_NamingTheCounts(int open)
    {
        var refusal = HandoverOffer.Refuses(Facts(ReceivingService(maxOpenHandovers: 3)) with { OpenHandovers = open }, Today);

        refusal!.Reason.Should().Be(OfferRefusalReason.ReceiverFull);
        refusal.Detail.Should().Contain($"({open} of 3 handovers open)");
    }

    [Fact]
    public void Refuses_AReceiverBelowItsMaximum_IsNull()
    {
        HandoverOffer.Refuses(Facts(ReceivingService(maxOpenHandovers: 3)) with { OpenHandovers = 2 }, Today).Should().BeNull();
    }

    [Fact]
    public void Refuses_AReceiverWithoutMaximum_IsNeverFull()
    {
        HandoverOffer.Refuses(Facts(ReceivingService(maxOpenHandovers: null)) with { OpenHandovers = 10_000 }, Today).Should().BeNull();
    }

    [Fact]
    public void Refuses_AReceiverNoActiveConsentNames_AsNoConsent()
    {
        Reason(Facts() with { ConsentNamesIt = false }).Should().Be(OfferRefusalReason.NoConsent);
    }

    [Fact]
    public void Refuses_ASecondOpenHandoverOfTheCaseToTheReceiver_AsOpenHandoverExists()
    {
        var refusal = HandoverOffer.Refuses(Facts() with { OpenHandoverOfTheCase = true }, Today);

        refusal!.Reason.Should().Be(OfferRefusalReason.OpenHandoverExists);
        refusal.Should().Be(HandoverOffer.OpenHandoverExists);
    }

    [Fact]
    public void Refuses_AnInactiveOrigin_WhateverTheCase()
    {
        Reason(Request() with { CaseOwned = false, OriginActive = false }).Should().Be(OfferRefusalReason.OriginNotActive);
    }

    [Fact]
    public void Refuses_ACaseNotTheOrigins_OnTheReceiverFirst_ThenAsCaseNotFound_ShowingNothingOfTheCase()
    {
        var unowned = Request() with { CaseOwned = false };

        Reason(unowned with { Receiver = unowned.Receiver with { Active = false } }).Should().Be(OfferRefusalReason.ReceiverNotActive);
        Reason(unowned with { Receiver = unowned.Receiver with { CaseRestricted = true, ConsentNamesIt = false, OpenHandoverOfTheCase = true } })
            .Should().Be(OfferRefusalReason.CaseNotFound);
    }

    [Fact]
    public void CanWait_ExactlyForWhatAnArrivalMayChange_TheCaseAndTheConsent()
    {
        Enum.GetValues<OfferRefusalReason>().Where(r => new OfferRefusal(r, "detail").CanWait)
            .Should().BeEquivalentTo([OfferRefusalReason.CaseNotFound, OfferRefusalReason.NoConsent]);
    }

    [Fact]
    public void Refuses_ChecksTheOriginThenTheCaseThenTheReceiverThenTheConsent_InOrder()
    {
        // Everything wrong at first; each round puts right the check that refused, so the next one answers.
        var facts = new RequestFacts(
            CaseOwned: false,
            OriginActive: false,
            new ReceiverFacts(null, Active: false, OpenHandovers: 5, ConsentNamesIt: false, OpenHandoverOfTheCase: true, CaseRestricted: true));
        var paused = ReceivingService(accepting: false, maxOpenHandovers: 5, noCapacityUntil: Today.AddDays(1));
        var fixes = new Func<RequestFacts, RequestFacts>[]
        {
            f => f with { OriginActive = true },
            f => f with { CaseOwned = true },
            f => f with { Receiver = f.Receiver with { CaseRestricted = false } },
            f => f with { Receiver = f.Receiver with { Receiver = paused } },
            f => f with { Receiver = f.Receiver with { Active = true } },
            f =>
            {
                paused.NoCapacityUntil = null;
                return f;
            },
            f =>
            {
                paused.Accepting = true;
                return f;
            },
            f => f with { Receiver = f.Receiver with { OpenHandovers = 4 } },
            f => f with { Receiver = f.Receiver with { ConsentNamesIt = true } },
            f => f with { Receiver = f.Receiver with { OpenHandoverOfTheCase = false } },
        };

        var answers = new List<OfferRefusalReason?>();
        foreach (var fix in fixes)
        {
            answers.Add(HandoverOffer.Refuses(facts, Today)?.Reason);
            facts = fix(facts);
        }

        answers.Add(HandoverOffer.Refuses(facts, Today)?.Reason);
        answers.Should().Equal(
            OfferRefusalReason.OriginNotActive,
            // The case not being the origin's, the receiver's own checks answer before it (nothing of the case shows).
            OfferRefusalReason.ReceiverNotFound,
            OfferRefusalReason.CaseRestricted,
            OfferRefusalReason.ReceiverNotFound,
            OfferRefusalReason.ReceiverNotActive,
            OfferRefusalReason.ReceiverPaused,
            OfferRefusalReason.ReceiverNotAccepting,
            OfferRefusalReason.ReceiverFull,
            OfferRefusalReason.NoConsent,
            OfferRefusalReason.OpenHandoverExists,
            null);
    }

    [Fact]
    public void IsNotFound_ExactlyForAnUnknownCaseOrReceiver()
    {
        Enum.GetValues<OfferRefusalReason>().Where(r => new OfferRefusal(r, "detail").IsNotFound)
            .Should().BeEquivalentTo([OfferRefusalReason.CaseNotFound, OfferRefusalReason.ReceiverNotFound]);
    }

    [Fact]
    public void Refuses_WithoutFacts_Throws()
    {
        var request = () => HandoverOffer.Refuses((RequestFacts)null!, Today);
        var receiver = () => HandoverOffer.Refuses((ReceiverFacts)null!, Today);

        request.Should().Throw<ArgumentNullException>();
        receiver.Should().Throw<ArgumentNullException>();
    }

    private static KnownOrganisation ReceivingService(bool? accepting = true, int? maxOpenHandovers = 10, DateOnly? noCapacityUntil = null) => new()
    {
        Id = new Guid("0195a000-0000-7000-8000-000000000003"),
        Kind = OrganisationKinds.ReceivingService,
        Country = "DE",
        Status = OrganisationStatuses.Active,
        Accepting = accepting,
        MaxOpenHandovers = maxOpenHandovers,
        NoCapacityUntil = noCapacityUntil,
    };

    private static ReceiverFacts Facts(KnownOrganisation? receiver = null) =>
        new(receiver ?? ReceivingService(), Active: true, OpenHandovers: 2, ConsentNamesIt: true, OpenHandoverOfTheCase: false);

    private static RequestFacts Request() => new(CaseOwned: true, OriginActive: true, Facts());

    private static OfferRefusalReason? Reason(RequestFacts facts) => HandoverOffer.Refuses(facts, Today)?.Reason;

    private static OfferRefusalReason? Reason(ReceiverFacts facts) => HandoverOffer.Refuses(facts, Today)?.Reason;
}
