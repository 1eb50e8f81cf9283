using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace Imsa.Network.Browser.Tests;

/// <summary>
/// The counsellor abroad edits a case with every data category: what they enter is what Counselling stores and what
/// the case page shows; a refused value is shown next to its field and nothing is stored; an edit of a case that
/// changed meanwhile is refused rather than overwrite the change; topics go with sessions and handover requests.
/// </summary>
[Collection(WebNetworkTests.Name)]
public sealed partial class CaseEditingTests(WebSite site)
{
    private const string ReceiverName = "JMD Themen Mainz (browser)";

    private static readonly DateOnly Today = DateOnly.FromDateTime(DateTime.UtcNow);

    [Fact]
    public async Task ACounsellor_OpensACase_AndEditsEveryCategory_WhichIsStoredAndShown()
    {
        var (person, own) = await CounsellorAsync();
        await CounsellingKnowsAsync(own);
        await using var context = await site.Chromium.NewContextAsync(new BrowserNewContextOptions { Locale = "en-GB" });
        var page = await context.NewPageAsync();
        await site.SignInAsync(page, person, "cases/new");

        // Opened with the required categories, then straight on to the others.
        await page.GetByLabel("Given names").FillAsync("Amina");
        await page.GetByLabel("Family name").FillAsync("Example");
        await page.GetByLabel("Date of birth").FillAsync("2007-05-02");
        await page.GetByLabel("Nationalities").FillAsync("MA");
        await page.GetByLabel("Purpose of the move").SelectOptionAsync("vocational-training");
        await page.ReviewAsync("case-edit-01-new");
        await page.GetByRole(AriaRole.Button, new() { Name = "Open and add more details" }).ClickAsync();

        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Edit the case: Amina Example" })).ToBeVisibleAsync();
        var caseId = EditPath().Match(page.Url).Groups["id"].Value;
        caseId.Should().NotBeEmpty();
        await Assertions.Expect(page.GetByLabel("Given names")).ToHaveValueAsync("Amina");
        await Assertions.Expect(page.GetByText("only under the person's explicit consent")).ToBeVisibleAsync();
        await page.ReviewAsync("case-edit-02-form");

        // Contact and counselling preferences
        await page.GetByLabel("E-mail address").FillAsync("amina@example.org");
        await page.GetByLabel("Phone").FillAsync("+212 600 000 001");
        await page.GetByLabel("Messenger").FillAsync("WhatsApp +212 600 000 001");
        await page.GetByLabel("Address abroad").FillAsync("12 Rue Exemple, Rabat");
        await page.GetByLabel("Preferred counselling language").FillAsync("ar");
        await page.GetByLabel("Preferred gender of the counsellor").SelectOptionAsync("female");

        // Migration plan: arrival, destination, visa, two family members (the second after asking for one more entry)
        await page.GetByLabel("Planned arrival in Germany").FillAsync(TestDates.ArrivalText);
        await page.GetByLabel("Destination postal code in Germany").FillAsync("55116");
        await page.GetByLabel("Visa status").SelectOptionAsync("applied");
        await page.GetByLabel("Applied for on").FillAsync(Day(Today.AddDays(-30)));
        var newMember = Group(page, "New family member");
        await newMember.GetByLabel("Relationship").SelectOptionAsync("child");
        await newMember.GetByLabel("Year of birth").FillAsync("2015");
        await newMember.GetByLabel("Comes").SelectOptionAsync("later");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add another family member" }).ClickAsync();
        await Assertions.Expect(Group(page, "Family member 1")).ToBeVisibleAsync();
        await Assertions.Expect(Group(page, "Family member 1").GetByLabel("Year of birth")).ToHaveValueAsync("2015");
        await Assertions.Expect(page.GetByLabel("Applied for on")).ToHaveValueAsync(Day(Today.AddDays(-30)));
        await page.ReviewAsync("case-edit-02b-form-one-more-entry");
        newMember = Group(page, "New family member");
        await newMember.GetByLabel("Relationship").SelectOptionAsync("spouse");
        await newMember.GetByLabel("Year of birth").FillAsync("1990");
        await newMember.GetByLabel("Comes").SelectOptionAsync("together");

        // Language and qualifications
        await page.GetByLabel("German level (A0–C2)").SelectOptionAsync("B1");
        await page.GetByLabel("German certificate").FillAsync("Goethe-Zertifikat B1");
        await page.GetByLabel("Other languages spoken").FillAsync("fr, en");
        var qualification = Group(page, "New qualification");
        await qualification.GetByLabel("Qualification", new() { Exact = true }).FillAsync("Diplôme de technicien spécialisé en électromécanique");
        await qualification.GetByLabel("Country that awarded it").FillAsync("MA");
        await qualification.GetByLabel("German reference occupation").FillAsync("Elektroniker/-in");
        await qualification.GetByLabel("Regulated in Germany").SelectOptionAsync("false");
        await qualification.GetByLabel("Recognition", new() { Exact = true }).SelectOptionAsync("partial");
        await qualification.GetByLabel("Recognition authority").FillAsync("HWK Rheinhessen");
        await qualification.GetByLabel("Compensation measure required").FillAsync("Adaptation course of six months");

        // Needs and open tasks (topics), special categories
        var task = Group(page, "New open task");
        await task.GetByLabel("Topic").SelectOptionAsync("ADMN");
        await task.GetByLabel("What to do").FillAsync("Register the address within 14 days");
        await task.GetByLabel("Due on").FillAsync(Day(TestDates.Arrival.AddDays(14)));
        var service = Group(page, "New service received");
        await service.GetByLabel("Provided by").FillAsync("Goethe-Institut Rabat");
        await service.GetByLabel("Topic").SelectOptionAsync("LANG");
        await service.GetByLabel("What it was").FillAsync("German course A1 to B1");
        await service.GetByLabel("Completed on").FillAsync(Day(Today.AddDays(-60)));
        var flag = Group(page, "New risk flag");
        await flag.GetByLabel("Kind of risk").SelectOptionAsync("health");
        await flag.GetByLabel("What the receiving service should know").FillAsync("Needs insulin from the first day.");
        await page.ReviewAsync("case-edit-03-form-filled");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save the case" }).Last.ClickAsync();

        // The case page: saved, and every category shown.
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("The case's data was saved.");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Case: Amina Example" })).ToBeVisibleAsync();
        page.Url.Should().Be($"{site.Address}cases/{caseId}?saved=true", "nothing but ids and a flag in addresses");
        var main = page.GetByRole(AriaRole.Main);
        foreach (var shown in new[]
        {
            "amina@example.org", "WhatsApp +212 600 000 001", "12 Rue Exemple, Rabat", "a woman",
            "applied for · application of ", "child · born in 2015 · later (family reunification)", "spouse · born in 1990 · together with the person",
            "B1 – intermediate", "Goethe-Zertifikat B1", "fr, en", "Diplôme de technicien spécialisé en électromécanique (MA)", "Elektroniker/-in",
            "partly recognised · HWK Rheinhessen · Adaptation course of six months",
            "Authorities, forms, registration", "Register the address within 14 days", "Goethe-Institut Rabat", "German course A1 to B1",
            "Needs insulin from the first day.",
        })
        {
            await Assertions.Expect(main.GetByText(shown).First).ToBeVisibleAsync();
        }

        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Special categories (health, vulnerability, exploitation)" })).ToBeVisibleAsync();
        await page.ReviewAsync("case-edit-04-case");

        // What Counselling stored, category by category.
        var stored = await ReadCaseAsync(own, caseId);
        var contact = stored["contact"]!;
        ((string?)contact["email"]).Should().Be("amina@example.org");
        ((string?)contact["phone"]).Should().Be("+212 600 000 001");
        ((string?)contact["messenger"]).Should().Be("WhatsApp +212 600 000 001");
        ((string?)contact["addressAbroad"]).Should().Be("12 Rue Exemple, Rabat");
        ((string?)contact["preferredLanguage"]).Should().Be("ar");
        ((string?)contact["preferredCounsellorGender"]).Should().Be("female");
        var plan = stored["migrationPlan"]!;
        ((string?)plan["purpose"]).Should().Be("vocational-training");
        ((string?)plan["plannedArrival"]).Should().Be(TestDates.ArrivalText);
        ((string?)plan["destinationPostalCode"]).Should().Be("55116");
        ((string?)plan["visa"]!["status"]).Should().Be("applied");
        ((string?)plan["visa"]!["appliedOn"]).Should().Be(Day(Today.AddDays(-30)));
        plan["familyMembers"]!.AsArray().Select(m => ((string?)m!["relationship"], (int?)m["birthYear"], (string?)m["arrival"]))
            .Should().Equal(("child", 2015, "later"), ("spouse", 1990, "together"));
        var languages = stored["languageAndQualifications"]!;
        ((string?)languages["germanLevel"]).Should().Be("B1");
        ((string?)languages["germanCertificate"]).Should().Be("Goethe-Zertifikat B1");
        languages["languagesSpoken"]!.AsArray().Select(l => (string?)l).Should().Equal("fr", "en");
        var diploma = languages["qualifications"]!.AsArray().Should().ContainSingle().Which!;
        ((string?)diploma["title"]).Should().Be("Diplôme de technicien spécialisé en électromécanique");
        ((string?)diploma["country"]).Should().Be("MA");
        ((string?)diploma["referenceOccupation"]).Should().Be("Elektroniker/-in");
        ((bool?)diploma["regulated"]).Should().BeFalse();
        ((string?)diploma["recognition"]!["status"]).Should().Be("partial");
        ((string?)diploma["recognition"]!["authority"]).Should().Be("HWK Rheinhessen");
        ((string?)diploma["recognition"]!["compensationMeasure"]).Should().Be("Adaptation course of six months");
        var needs = stored["needsAndOpenTasks"]!;
        var openTask = needs["openTasks"]!.AsArray().Should().ContainSingle().Which!;
        ((string?)openTask["topic"]).Should().Be("ADMN");
        ((string?)openTask["title"]).Should().Be("Register the address within 14 days");
        ((string?)openTask["dueOn"]).Should().Be(Day(TestDates.Arrival.AddDays(14)));
        ((bool?)openTask["done"]).Should().BeFalse();
        var prior = needs["priorServices"]!.AsArray().Should().ContainSingle().Which!;
        ((string?)prior["provider"]).Should().Be("Goethe-Institut Rabat");
        ((string?)prior["topic"]).Should().Be("LANG");
        ((string?)prior["description"]).Should().Be("German course A1 to B1");
        ((string?)prior["completedOn"]).Should().Be(Day(Today.AddDays(-60)));
        var risk = stored["specialCategories"]!["riskFlags"]!.AsArray().Should().ContainSingle().Which!;
        ((string?)risk["code"]).Should().Be("health");
        ((string?)risk["note"]).Should().Be("Needs insulin from the first day.");

        // Edited again: an entry removed, the task done; the rest stays as it was.
        await page.GetByRole(AriaRole.Link, new() { Name = "Edit the case's data" }).ClickAsync();
        await Assertions.Expect(Group(page, "Family member 2").GetByLabel("Year of birth")).ToHaveValueAsync("1990");
        await Group(page, "Family member 2").GetByLabel("Remove this entry").CheckAsync();
        await Group(page, "Open task 1").GetByLabel("Done").CheckAsync();
        await page.ReviewAsync("case-edit-05-form-again");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save the case" }).First.ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("The case's data was saved.");
        await Assertions.Expect(main.Locator("li", new() { HasText = "Register the address within 14 days" })).ToContainTextAsync("done");
        await page.ReviewAsync("case-edit-06-case-again");
        stored = await ReadCaseAsync(own, caseId);
        stored["migrationPlan"]!["familyMembers"]!.AsArray().Select(m => (string?)m!["relationship"]).Should().Equal("child");
        ((bool?)stored["needsAndOpenTasks"]!["openTasks"]![0]!["done"]).Should().BeTrue();
        ((string?)stored["contact"]!["email"]).Should().Be("amina@example.org");
        ((string?)stored["specialCategories"]!["riskFlags"]![0]!["code"]).Should().Be("health");
    }

    [Fact]
    public async Task RefusedValues_AreShownNextToTheirFields_InFrench_AndNothingIsStored()
    {
        var (person, own) = await CounsellorAsync();
        var caseId = await CounsellingKnowsAsync(own);
        await using var context = await site.Chromium.NewContextAsync(new BrowserNewContextOptions { Locale = "fr-FR" });
        var page = await context.NewPageAsync();
        await site.SignInAsync(page, person, $"cases/{caseId}/edit");

        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Modifier le dossier : Karim Example" })).ToBeVisibleAsync();
        // The stored family member is removed and a new one entered with a year of birth in the future: Counselling
        // names the list's first entry, which is the form's second.
        await Group(page, "Membre de la famille 1").GetByLabel("Supprimer cette entrée").CheckAsync();
        var newMember = Group(page, "Nouveau membre de la famille");
        await newMember.GetByLabel("Lien de parenté").SelectOptionAsync("child");
        await newMember.GetByLabel("Année de naissance").FillAsync((Today.Year + 3).ToString(System.Globalization.CultureInfo.InvariantCulture));
        await newMember.GetByLabel("Arrivée").SelectOptionAsync("later");
        // A visa applied for in the future, and a German course "completed" next month.
        await page.GetByLabel("État du visa").SelectOptionAsync("applied");
        await page.GetByLabel("Demandé le").FillAsync(Day(Today.AddDays(20)));
        await page.GetByLabel("Niveau d'allemand (A0–C2)").SelectOptionAsync("A2");
        await page.GetByRole(AriaRole.Button, new() { Name = "Enregistrer le dossier" }).Last.ClickAsync();

        await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("vérifiez votre saisie");
        var birthYear = page.Locator("#FamilyMembers-1-BirthYear");
        await Assertions.Expect(birthYear).ToHaveAttributeAsync("aria-invalid", "true");
        await Assertions.Expect(birthYear).ToHaveAttributeAsync("aria-describedby", "FamilyMembers-1-BirthYear-error");
        await Assertions.Expect(page.Locator("#FamilyMembers-1-BirthYear-error")).ToHaveTextAsync("Saisissez une année de naissance plausible, pas dans le futur.");
        var applied = page.GetByLabel("Demandé le");
        await Assertions.Expect(applied).ToHaveAttributeAsync("aria-invalid", "true");
        await Assertions.Expect(applied).ToHaveAttributeAsync("aria-describedby", "VisaAppliedOn-error");
        await Assertions.Expect(page.Locator("#VisaAppliedOn-error")).ToHaveTextAsync("La date de demande ne peut pas être dans le futur.");
        // The fields not refused keep what was entered and are not marked.
        await Assertions.Expect(page.GetByLabel("Niveau d'allemand (A0–C2)")).ToHaveValueAsync("A2");
        await Assertions.Expect(page.GetByLabel("Niveau d'allemand (A0–C2)")).Not.ToHaveAttributeAsync("aria-invalid", "true");
        await Assertions.Expect(page.Locator("#FamilyMembers-0-BirthYear")).Not.ToHaveAttributeAsync("aria-invalid", "true");
        await Assertions.Expect(Group(page, "Membre de la famille 1").GetByLabel("Supprimer cette entrée")).ToBeCheckedAsync();
        await page.ReviewAsync("case-edit-07-refused-french");

        var stored = await ReadCaseAsync(own, caseId);
        stored["migrationPlan"]!["familyMembers"]!.AsArray().Select(m => (int?)m!["birthYear"]).Should().Equal(new int?[] { 1985 }, "nothing was stored");
        stored["migrationPlan"]!["visa"].Should().BeNull();
        stored["languageAndQualifications"].Should().BeNull();
    }

    [Fact]
    public async Task AnEditOfACaseChangedMeanwhile_IsRefusedWithAMessage_AndOverwritesNothing()
    {
        var (person, own) = await CounsellorAsync();
        var caseId = await CounsellingKnowsAsync(own);
        await using var context = await site.Chromium.NewContextAsync(new BrowserNewContextOptions { Locale = "en-GB" });
        var page = await context.NewPageAsync();
        await site.SignInAsync(page, person, $"cases/{caseId}/edit");
        await Assertions.Expect(page.GetByLabel("Given names")).ToHaveValueAsync("Karim");

        // Someone else (here the organisation's case system) changes the case while the form is open.
        var changed = await site.Counselling.SendAsAsync(own, HttpMethod.Put, $"/cases/{caseId}", KarimsCase(phone: "+212 611 111 111"));
        changed.StatusCode.Should().Be(HttpStatusCode.OK);

        await page.GetByLabel("E-mail address").FillAsync("karim@example.org");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save the case" }).First.ClickAsync();
        var alert = page.GetByRole(AriaRole.Alert);
        await Assertions.Expect(alert.GetByRole(AriaRole.Heading, new() { Name = "The case was changed meanwhile" })).ToBeVisibleAsync();
        await Assertions.Expect(alert).ToContainTextAsync("nothing was saved");
        await Assertions.Expect(page.GetByLabel("E-mail address")).ToHaveValueAsync("karim@example.org");
        await page.ReviewAsync("case-edit-08-stale");
        var stored = await ReadCaseAsync(own, caseId);
        ((string?)stored["contact"]!["phone"]).Should().Be("+212 611 111 111", "the other change is not overwritten");
        ((string?)stored["contact"]!["email"]).Should().BeNull();

        // Seen and saved again on purpose: the counsellor's entries replace the case.
        await page.GetByRole(AriaRole.Button, new() { Name = "Save the case" }).First.ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("The case's data was saved.");
        await page.ReviewAsync("case-edit-09-saved-after-stale");
        ((string?)(await ReadCaseAsync(own, caseId))["contact"]!["email"]).Should().Be("karim@example.org");

        // The same change sent twice (a second tab, or Save clicked again before the page came): already so, saved.
        var second = await context.NewPageAsync();
        await second.GotoAsync($"{site.Address}cases/{caseId}/edit");
        await page.GotoAsync($"{site.Address}cases/{caseId}/edit");
        await page.ReviewAsync("case-edit-10-first-tab");
        await second.ReviewAsync("case-edit-10-second-tab");
        foreach (var tab in new[] { page, second })
        {
            await tab.GetByLabel("Messenger").FillAsync("Signal karim.01");
        }

        await page.GetByRole(AriaRole.Button, new() { Name = "Save the case" }).Last.ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("The case's data was saved.");
        await page.ReviewAsync("case-edit-10a-first-tab-saved");
        await second.GetByRole(AriaRole.Button, new() { Name = "Save the case" }).Last.ClickAsync();
        await Assertions.Expect(second.GetByRole(AriaRole.Status)).ToHaveTextAsync("The case's data was saved.");
        await second.ReviewAsync("case-edit-10b-same-change-twice");
        ((string?)(await ReadCaseAsync(own, caseId))["contact"]!["messenger"]).Should().Be("Signal karim.01");
    }

    [Fact]
    public async Task Topics_GoWithASession_AndWithTheHandoverRequest()
    {
        var (person, own) = await CounsellorAsync();
        var receiver = await ReceivingServiceAsync();
        var caseId = await CounsellingKnowsAsync(own);
        // An open task on recognition: its topic is ticked for the handover request already.
        var content = KarimsCase(phone: null);
        content["needsAndOpenTasks"] = new JsonObject { ["openTasks"] = new JsonArray(new JsonObject { ["topic"] = "REC", ["title"] = "Apply for recognition", ["done"] = false }) };
        (await site.Counselling.SendAsAsync(own, HttpMethod.Put, $"/cases/{caseId}", content)).StatusCode.Should().Be(HttpStatusCode.OK);
        await Eventually.Until(
            () => site.Counselling.SendAsAsync(own, HttpMethod.Post, $"/cases/{caseId}/consents", new
            {
                recipients = new[] { receiver },
                categories = new[] { "identity", "needs-and-open-tasks" },
                method = "signed-form",
                obtainedAt = DateTimeOffset.UtcNow,
                textLanguage = "en",
                textVersion = "1",
                validUntil = DateTimeOffset.UtcNow.AddYears(1),
            }),
            response => response.StatusCode == HttpStatusCode.Created,
            "Counselling to know the receiving service");
        await using var context = await site.Chromium.NewContextAsync(new BrowserNewContextOptions { Locale = "en-GB" });
        var page = await context.NewPageAsync();

        // A session about two topics.
        await site.SignInAsync(page, person, $"cases/{caseId}/sessions");
        var topics = Group(page, "Topics discussed");
        await topics.GetByLabel("Recognition of qualifications").CheckAsync();
        await topics.GetByLabel("German language / integration course").CheckAsync();
        await page.ReviewAsync("case-edit-11-session-topics");
        await page.GetByRole(AriaRole.Button, new() { Name = "Record the session" }).ClickAsync();
        await Assertions.Expect(page.GetByText("Topics discussed: Recognition of qualifications, German language / integration course")).ToBeVisibleAsync();
        await page.ReviewAsync("case-edit-12-sessions");
        var sessions = (await (await site.Counselling.SendAsAsync(own, HttpMethod.Get, $"/cases/{caseId}/sessions")).Content.ReadFromJsonAsync<JsonArray>())!;
        sessions.Should().ContainSingle().Which!["topics"]!.AsArray().Select(t => (string?)t).Should().Equal("REC", "LANG");

        // The handover request: the open task's topic ticked, one more added.
        await page.GotoAsync($"{site.Address}cases/{caseId}/matching");
        var requestTopics = Group(page, "Topics the service is asked to continue with");
        await Assertions.Expect(requestTopics.GetByLabel("Recognition of qualifications")).ToBeCheckedAsync();
        await Assertions.Expect(requestTopics.GetByLabel("Housing")).Not.ToBeCheckedAsync();
        await requestTopics.GetByLabel("Employment & job search").CheckAsync();
        await page.ReviewAsync("case-edit-13-matching-topics");
        var request = page.GetByRole(AriaRole.Button, new() { Name = $"Request the handover to {ReceiverName}" });
        var timeline = page.GetByRole(AriaRole.Table, new() { Name = "Timeline" });
        await Eventually.Until(
            async () =>
            {
                if (await request.IsVisibleAsync())
                {
                    await request.ClickAsync();
                }

                return await timeline.IsVisibleAsync();
            },
            shown => shown,
            "the handover to be requested once Handovers knows the consent");
        await Assertions.Expect(page.GetByText("Recognition of qualifications, Employment & job search")).ToBeVisibleAsync();
        await page.ReviewAsync("case-edit-14-handover-topics");
        var handovers = (await (await site.Handovers.SendAsAsync(own, HttpMethod.Get, $"/handovers/outgoing?caseId={caseId}")).Content.ReadFromJsonAsync<JsonArray>())!;
        handovers.Should().ContainSingle().Which!["topics"]!.AsArray().Select(t => (string?)t).Should().Equal("REC", "WORK");
    }

    private static ILocator Group(IPage page, string name) => page.GetByRole(AriaRole.Group, new() { Name = name, Exact = true });

    private static string Day(DateOnly day) => TestDates.Text(day);

    private async Task<JsonObject> ReadCaseAsync(string own, string caseId)
    {
        var read = await site.Counselling.SendAsAsync(own, HttpMethod.Get, $"/cases/{caseId}");
        read.StatusCode.Should().Be(HttpStatusCode.OK);
        return (await read.Content.ReadFromJsonAsync<JsonObject>())!;
    }

    /// <summary>Karim's case as the API test client writes it: identity, plan with one family member, a phone when given.</summary>
    private static JsonObject KarimsCase(string? phone) => new()
    {
        ["identity"] = new JsonObject { ["givenNames"] = "Karim", ["familyName"] = "Example", ["dateOfBirth"] = "2006-01-10", ["nationalities"] = new JsonArray("MA") },
        ["contact"] = phone is null ? null : new JsonObject { ["phone"] = phone },
        ["migrationPlan"] = new JsonObject
        {
            ["purpose"] = "vocational-training",
            ["plannedArrival"] = TestDates.ArrivalText,
            ["destinationPostalCode"] = "55116",
            ["familyMembers"] = new JsonArray(new JsonObject { ["relationship"] = "spouse", ["birthYear"] = 1985, ["arrival"] = "later" }),
        },
    };

    /// <summary>A verified partner organisation abroad with a counsellor who signs in, and the organisation's own token.</summary>
    private async Task<(TestPerson Person, string Token)> CounsellorAsync()
    {
        var partner = await site.PartnerAbroadAsync();
        return (await site.Partners.EnrolPersonAsync(partner.Token, partner.Id), partner.Token);
    }

    /// <summary>Counselling learns of organisations from Partners' events: waits until it opens Karim's case for the organisation.</summary>
    private async Task<string> CounsellingKnowsAsync(string own)
    {
        var opened = await Eventually.Until(
            () => site.Counselling.SendAsAsync(own, HttpMethod.Post, "/cases", KarimsCase(phone: null)),
            response => response.StatusCode == HttpStatusCode.Created,
            "Counselling to open a case for the new organisation");
        return (string)(await opened.Content.ReadFromJsonAsync<JsonObject>())!["id"]!;
    }

    /// <summary>A verified receiving service for young people in Mainz (district 07315) on recognition, work and German.</summary>
    private async Task<Guid> ReceivingServiceAsync() => (await site.ReceivingServiceAsync(ReceiverName)).Id;

    [GeneratedRegex("/cases/(?<id>[0-9a-f-]{36})/edit$")]
    private static partial Regex EditPath();
}
