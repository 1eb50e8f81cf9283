using Imsa.Network.Web.Api;
using Imsa.Network.Web.Localization;
using Imsa.Network.Web.SignIn;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using QRCoder;

namespace Imsa.Network.Web.Pages.Cases;

internal sealed record ConsentDetails(
    Guid Id,
    string State,
    IReadOnlyList<Guid> Recipients,
    IReadOnlyList<string> Categories,
    bool ExplicitSpecialCategories,
    DateTimeOffset ValidFrom,
    DateTimeOffset ValidUntil,
    ConsentTextReference Text);

internal sealed record ConsentTextReference(string Language, string Version);

internal sealed record DirectoryEntry(Guid OrganisationId, string Name);

internal sealed record DirectoryPage(IReadOnlyList<DirectoryEntry> Items);

/// <summary>
/// The consent receipt to print or hand over: what was agreed, with whom, until when; and, right after recording,
/// the withdrawal code with a QR code leading to the person's own page at <c>{Web:PublicUrl}withdraw?code=…</c>.
/// The code is taken out of memory as it is shown: a reload does not show it again.
/// </summary>
internal sealed class ReceiptModel(NetworkApi api, IMemoryCache memory, IOptions<WebOptions> web) : PageModel
{
    public ConsentDetails? Consent { get; private set; }

    public IReadOnlyList<string> Recipients { get; private set; } = [];

    public string? Code { get; private set; }

    public Uri? WithdrawalAddress { get; private set; }

    public string? QrCode { get; private set; }

    public ApiProblem? Problem { get; private set; }

    public Guid CaseId { get; private set; }

    public async Task OnGetAsync(Guid id, Guid consentId, CancellationToken cancellationToken)
    {
        CaseId = id;
        var read = await api.GetAsync<ConsentDetails>(NetworkApi.Counselling, $"cases/{id}/consents/{consentId}", cancellationToken);
        Consent = read.Value;
        Problem = read.Problem;
        if (Consent is null)
        {
            return;
        }

        // Receiving services by name, as the person knows them; the directory lists every active one.
        var directory = await api.GetAsync<DirectoryPage>(SignInEndpoints.PartnersClient, "directory/services?limit=500", cancellationToken);
        var names = (directory.Value?.Items ?? []).ToDictionary(entry => entry.OrganisationId, entry => entry.Name);
        Recipients = [.. Consent.Recipients.Select(recipient => names.GetValueOrDefault(recipient) ?? recipient.ToString())];

        var key = ConsentModel.CodeKey(this.Person(), consentId);
        if (memory.TryGetValue(key, out string? code) && code is not null)
        {
            memory.Remove(key);
            Code = code;
            // The person's page in the language of the text they read (an application language where it is one).
            var language = Languages.All.Any(l => l.Code == Consent.Text.Language) ? Consent.Text.Language : Languages.Current.Code;
            WithdrawalAddress = new Uri(web.Value.PublicUrl, $"withdraw?code={Uri.EscapeDataString(code)}&lang={language}");
            using var generator = new QRCodeGenerator();
            using var data = generator.CreateQrCode(WithdrawalAddress.ToString(), QRCodeGenerator.ECCLevel.M);
            QrCode = "data:image/png;base64," + Convert.ToBase64String(new PngByteQRCode(data).GetGraphic(6));
        }
    }
}
