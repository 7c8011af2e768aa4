// Invoice and credit-note PDFs: a pure function from an invoice value to the
// bytes of an A4 PDF, laid out with pango and drawn with cairo. Fonts are
// embedded as subsets with ToUnicode maps, so Chinese (Traditional and
// Simplified) and German text renders and stays searchable and copyable.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace ld::pdf {

struct InvoiceLine {
  std::string description;     // product name; wraps, at most kMaxDescriptionLines lines
  int64_t quantity = 0;        // licenses
  int64_t unitPriceMinor = 0;  // price of one license for the period, minor units
  int64_t amountMinor = 0;     // line amount before tax, minor units
  int64_t taxMinor = 0;        // tax on this line (R1: per line), minor units
  std::string period;          // e.g. "2026-11-24 – 2026-12-23"; may be empty
};

struct InvoiceDoc {
  std::string locale = "en-US";  // en-US | zh-TW | de-DE | zh-CN; anything else renders en-US
  std::string number;            // e.g. "INV-000123"
  std::string kind = "invoice";  // invoice | credit_note
  std::string issuedDate;        // "YYYY-MM-DD" (localized on the page); other text is shown as is
  std::string dueDate;           // "YYYY-MM-DD" or empty (no due-date row)
  std::string sellerName, sellerAddress;               // the address may hold several lines ('\n')
  std::string buyerName, buyerCountry, buyerTenantId;  // country: ISO 3166 alpha-2
  std::string currency;  // ISO 4217; amounts use its minor-unit exponent (JPY 0, USD 2)
  int taxRateBp = 0;     // 500 = 5%
  std::vector<InvoiceLine> lines;
  int64_t subtotalMinor = 0, taxMinor = 0, totalMinor = 0;
  std::string
      paymentStatus;    // captured | paid | declined | due | overdue | refunded (others as is)
  std::string orderId;  // may be empty
};

constexpr int kMaxDescriptionLines = 6;  // longer descriptions end with an ellipsis

// Renders `doc` to the bytes of a PDF file (starts with "%PDF-").
//
// Amounts are formatted with the currency's exponent and the locale's digit
// grouping: en-US, zh-TW, zh-CN "1,234.56"; de-DE "1.234,56"; JPY "1,234".
// The renderer does not check the arithmetic (lines against totals): it
// prints what it is given.
//
// Any text may hold any UTF-8 (invalid sequences are replaced with U+FFFD);
// it is set as plain text, never as pango markup. Many lines break onto
// further pages, each repeating the table header and numbered "Page i of n".
// The output is deterministic: the same doc gives the same bytes.
//
// Thread-safety: safe to call from several threads at once. Each call builds
// its own cairo surface and its own pango font map (see invoice_pdf.cpp).
// Throws std::runtime_error only if cairo fails (out of memory).
std::string RenderInvoicePdf(const InvoiceDoc& doc);

// The amount text used on the page, exposed for tests and for other
// renderers that must agree with the PDF: FormatAmount(123456, "EUR", "de-DE")
// is "1.234,56".
std::string FormatAmount(int64_t amountMinor, const std::string& currency,
                         const std::string& locale);

}  // namespace ld::pdf
