using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace Imsa.Network.ServiceDefaults;

/// <summary>Endpoint metadata: the body fields that hold free text (<see cref="FreeTextEndpoints.AcceptsFreeText"/>).</summary>
public sealed class FreeTextFields(IEnumerable<string> paths)
{
    public IReadOnlySet<string> Paths { get; } = paths.ToHashSet(StringComparer.OrdinalIgnoreCase);
}

public static class FreeTextEndpoints
{
    /// <summary>
    /// These body fields hold free text a person wrote (a message, notes): they may hold line breaks and tabs, and up
    /// to <see cref="InputLimits.MaxFreeTextLength"/> characters. A path names a list's entries with "[]", e.g.
    /// "specialCategories.riskFlags[].note".
    /// </summary>
    public static TBuilder AcceptsFreeText<TBuilder>(this TBuilder builder, params string[] paths)
        where TBuilder : IEndpointConventionBuilder => builder.WithMetadata(new FreeTextFields(paths));
}

/// <summary>
/// The one place every request's input is held to <see cref="InputLimits"/>, before a token, a binding or an endpoint
/// reads it: the body is at most <see cref="InputLimits.MaxBodyBytes"/> (else 413); every text — each query value, each
/// form value, each string anywhere in a JSON body — has no control character and is not over-long; a JSON list has at
/// most <see cref="InputLimits.MaxArrayItems"/> entries and no null entry; HTTP Basic credentials hold no control character. What breaks these is answered with one 422
/// naming every such field as the API spells it (<c>errors["contacts[0].role"]</c>); nothing is changed.
/// </summary>
/// <remarks>
/// Control characters (U+0000–U+001F, U+007F–U+009F) have no place in a name, a code or an address, and PostgreSQL
/// cannot store U+0000. Line breaks and tabs are the exception in fields an endpoint declares free text
/// (<see cref="FreeTextEndpoints.AcceptsFreeText"/>, in a JSON body or a form), which may also be longer; query values are single-line.
/// A JSON body this check cannot parse is left to the endpoint's binding, which answers 400 for it.
/// </remarks>
internal sealed class InputChecks(RequestDelegate next, IProblemDetailsService problems)
{
    private static readonly IReadOnlySet<string> NoFreeText = new HashSet<string>();

    public async Task InvokeAsync(HttpContext context)
    {
        var endpoint = context.GetEndpoint();
        var request = context.Request;
        if (endpoint is null)
        {
            await next(context);
            return;
        }

        if (request.ContentLength > InputLimits.MaxBodyBytes)
        {
            await TooLargeAsync(context);
            return;
        }

        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        foreach (var (name, values) in request.Query)
        {
            foreach (var value in values)
            {
                CheckText(errors, name, value, freeText: false);
            }
        }

        // A client id and secret sent as HTTP Basic credentials are text too (form-encoded first: RFC 6749 section 2.3.1).
        if (BasicCredentials(request) is { } credentials)
        {
            foreach (var part in credentials.Split(':', 2))
            {
                CheckText(errors, "Authorization", Uri.UnescapeDataString(part.Replace('+', ' ')), freeText: false);
            }
        }

        if (request.HasJsonContentType())
        {
            if (MediaTypeHeaderValue.TryParse(request.ContentType, out var mediaType)
                && mediaType.Charset.HasValue && !mediaType.Charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase))
            {
                await WriteAsync(context, StatusCodes.Status415UnsupportedMediaType, "Unsupported Media Type", "JSON is read in UTF-8 only.");
                return;
            }

            var body = await ReadBodyAsync(context);
            if (body is null)
            {
                await TooLargeAsync(context);
                return;
            }

            CheckJson(body.Value, endpoint.Metadata.GetMetadata<FreeTextFields>()?.Paths ?? NoFreeText, errors);
        }
        else if (request.HasFormContentType)
        {
            var body = await ReadBodyAsync(context);
            if (body is null)
            {
                await TooLargeAsync(context);
                return;
            }

            try
            {
                var freeText = endpoint.Metadata.GetMetadata<FreeTextFields>()?.Paths ?? NoFreeText;
                foreach (var (name, values) in await request.ReadFormAsync(context.RequestAborted))
                {
                    foreach (var value in values)
                    {
                        CheckText(errors, name, value, freeText: freeText.Contains(name));
                    }
                }
            }
            catch (InvalidDataException)
            {
                // The framework's form reader refuses a NUL (%00) without saying where, or more than 1,024 values.
                foreach (var field in FieldsWithNul(body.Value.Span))
                {
                    Add(errors, field, "No control characters (line breaks and tabs included): this is a single line.");
                }

                if (errors.Count == 0)
                {
                    await WriteAsync(context, StatusCodes.Status400BadRequest, "The request could not be read.", "The form could not be read.");
                    return;
                }
            }
        }

        if (errors.Count > 0)
        {
            await Problems.Unprocessable(errors).ExecuteAsync(context);
            return;
        }

        await next(context);
    }

    /// <summary>The body, kept in memory for the endpoint to read again; null when it is longer than the cap.</summary>
    private static async Task<ReadOnlyMemory<byte>?> ReadBodyAsync(HttpContext context)
    {
        var buffer = new MemoryStream();
        context.Response.RegisterForDispose(buffer);
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await context.Request.Body.ReadAsync(chunk, context.RequestAborted)) > 0)
        {
            if (buffer.Length + read > InputLimits.MaxBodyBytes)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        buffer.Position = 0;
        context.Request.Body = buffer;
        return buffer.GetBuffer().AsMemory(0, (int)buffer.Length);
    }

    private static string? BasicCredentials(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        if (!header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        try
        {
            return Encoding.UTF8.GetString(Convert.FromBase64String(header["Basic ".Length..].Trim()));
        }
        catch (FormatException)
        {
            // Not Base64: the token server refuses it as it is.
            return null;
        }
    }

    /// <summary>The names of the url-encoded form's fields whose value holds an encoded NUL.</summary>
    private static IEnumerable<string> FieldsWithNul(ReadOnlySpan<byte> body) =>
        Encoding.UTF8.GetString(body).Split('&')
            .Select(pair => pair.Split('=', 2))
            .Where(pair => pair.Length == 2 && pair[1].Contains("%00", StringComparison.Ordinal))
            .Select(pair => Uri.UnescapeDataString(pair[0].Replace('+', ' ')));

    private static void CheckJson(ReadOnlyMemory<byte> body, IReadOnlySet<string> freeText, Dictionary<string, string[]> errors)
    {
        JsonDocument document;
        try
        {
            // The same depth limit and syntax as the endpoints' binding: what it reads, this has checked.
            document = JsonDocument.Parse(body);
        }
        catch (JsonException)
        {
            return;
        }

        using (document)
        {
            CheckJson(document.RootElement, "", "", freeText, errors);
        }
    }

    /// <param name="path">Where the value is, as errors name it: "contacts[0].role".</param>
    /// <param name="pattern">The same with list indexes left out, as free-text fields are declared: "contacts[].role".</param>
    private static void CheckJson(JsonElement value, string path, string pattern, IReadOnlySet<string> freeText, Dictionary<string, string[]> errors)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in value.EnumerateObject())
                {
                    string name;
                    try
                    {
                        name = property.Name;
                    }
                    catch (InvalidOperationException)
                    {
                        // A name holding an escaped half of a surrogate pair: nothing any field is called.
                        Add(errors, path.Length == 0 ? "$" : path, "A property name is not valid Unicode text.");
                        continue;
                    }

                    if (name.Length > InputLimits.MaxTextLength || name.Any(char.IsControl))
                    {
                        // Not echoed back as a field name: no field is called that.
                        Add(errors, path.Length == 0 ? "$" : path, "A property name is over-long or holds control characters.");
                        continue;
                    }

                    var prefix = path.Length == 0 ? "" : ".";
                    CheckJson(property.Value, path + prefix + name, pattern + prefix + name, freeText, errors);
                }

                break;
            case JsonValueKind.Array when value.GetArrayLength() > InputLimits.MaxArrayItems:
                Add(errors, path, string.Create(CultureInfo.InvariantCulture, $"At most {InputLimits.MaxArrayItems} entries."));
                break;
            case JsonValueKind.Array:
                var index = 0;
                foreach (var item in value.EnumerateArray())
                {
                    var itemPath = string.Create(CultureInfo.InvariantCulture, $"{path}[{index++}]");
                    if (item.ValueKind == JsonValueKind.Null)
                    {
                        Add(errors, itemPath, "An entry cannot be null.");
                    }
                    else
                    {
                        CheckJson(item, itemPath, pattern + "[]", freeText, errors);
                    }
                }

                break;
            case JsonValueKind.String:
                string text;
                try
                {
                    text = value.GetString()!;
                }
                catch (InvalidOperationException)
                {
                    // An escaped half of a surrogate pair: not text at all.
                    Add(errors, path, "Not valid Unicode text.");
                    break;
                }

                CheckText(errors, path, text, freeText.Contains(pattern));
                break;
        }
    }

    private static void CheckText(Dictionary<string, string[]> errors, string field, string? text, bool freeText)
    {
        var maxLength = freeText ? InputLimits.MaxFreeTextLength : InputLimits.MaxTextLength;
        if (text is null)
        {
            return;
        }

        if (text.Length > maxLength)
        {
            Add(errors, field, string.Create(CultureInfo.InvariantCulture, $"At most {maxLength} characters."));
        }
        else if (text.Any(c => char.IsControl(c) && !(freeText && c is '\t' or '\n' or '\r')))
        {
            Add(errors, field, freeText
                ? "No control characters other than line breaks and tabs."
                : "No control characters (line breaks and tabs included): this is a single line.");
        }
    }

    private static void Add(Dictionary<string, string[]> errors, string field, string message) => errors.TryAdd(field, [message]);

    private Task TooLargeAsync(HttpContext context) =>
        WriteAsync(context, StatusCodes.Status413PayloadTooLarge, "The request is too large.", string.Create(
            CultureInfo.InvariantCulture, $"A request body holds at most {InputLimits.MaxBodyBytes} bytes (1 MiB)."));

    private async Task WriteAsync(HttpContext context, int status, string title, string detail)
    {
        context.Response.StatusCode = status;
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = { Status = status, Title = title, Detail = detail },
        });
    }
}
