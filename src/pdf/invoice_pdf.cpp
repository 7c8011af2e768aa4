#include "pdf/invoice_pdf.h"

#include <cairo-pdf.h>
#include <cairo.h>
#include <glib.h>
#include <pango/pangocairo.h>

#include <algorithm>
#include <array>
#include <memory>
#include <new>
#include <optional>
#include <stdexcept>
#include <string_view>

#include "domain/money.h"

// Thread-safety: every call owns all of its objects: the cairo PDF surface
// and context, and a PangoFontMap made for the call with
// pango_cairo_font_map_new() (not the shared per-thread default map), with its
// own PangoContext and layouts. Nothing is shared between calls except what
// cairo and fontconfig already protect themselves (cairo's font-face cache is
// mutex-guarded; fontconfig's configuration is initialized once, atomically).
// A fresh font map per call costs a few milliseconds of font loading, which a
// document that is rendered once and then stored can afford; it avoids both a
// global lock and pango's thread-affine default map.

namespace ld::pdf {
namespace {

// ---------------------------------------------------------------- words

// One label. It has no default constructor, so a table that leaves a field
// out does not compile (aggregate initialization would otherwise leave it
// empty, silently, and shift nothing into view).
struct Word {
  constexpr Word(const char* text) : text(text) {}  // NOLINT(google-explicit-constructor)
  constexpr operator std::string_view() const { return text; }  // NOLINT
  std::string_view text;
};

struct Labels {
  Word invoice, creditNote, number, issued, due, order, payment, currency, billTo, tenantId,
      country, description, quantity, unitPrice, tax, amount, subtotal, total, period,
      pageOf,  // "{p}" and "{n}" are replaced
      colon;   // between a label and its text
  Word paid, declined, dueStatus, refunded, overdue;
  Word group, decimal;  // digit grouping and decimal separator
  Word percent;         // what follows the tax rate's number
};

constexpr Labels kEnUs{
    .invoice = "Invoice",
    .creditNote = "Credit note",
    .number = "Number",
    .issued = "Date of issue",
    .due = "Due date",
    .order = "Order",
    .payment = "Payment status",
    .currency = "Currency",
    .billTo = "Bill to",
    .tenantId = "Tenant ID",
    .country = "Country/region",
    .description = "Description",
    .quantity = "Quantity",
    .unitPrice = "Unit price",
    .tax = "Tax",
    .amount = "Amount",
    .subtotal = "Subtotal",
    .total = "Total",
    .period = "Service period",
    .pageOf = "Page {p} of {n}",
    .colon = ": ",
    .paid = "Paid",
    .declined = "Declined",
    .dueStatus = "Due",
    .refunded = "Refunded",
    .overdue = "Overdue",
    .group = ",",
    .decimal = ".",
    .percent = "%",
};

constexpr Labels kZhTw{
    .invoice = "發票",
    .creditNote = "折讓單",
    .number = "編號",
    .issued = "開立日期",
    .due = "付款到期日",
    .order = "訂單",
    .payment = "付款狀態",
    .currency = "幣別",
    .billTo = "帳單收件人",
    .tenantId = "租用戶識別碼",
    .country = "國家/地區",
    .description = "說明",
    .quantity = "數量",
    .unitPrice = "單價",
    .tax = "稅金",
    .amount = "金額",
    .subtotal = "小計",
    .total = "總計",
    .period = "服務期間",
    .pageOf = "第 {p} 頁，共 {n} 頁",
    .colon = "：",
    .paid = "已付款",
    .declined = "已拒絕",
    .dueStatus = "待付款",
    .refunded = "已退款",
    .overdue = "已逾期",
    .group = ",",
    .decimal = ".",
    .percent = "%",
};

constexpr Labels kDeDe{
    .invoice = "Rechnung",
    .creditNote = "Gutschrift",
    .number = "Nummer",
    .issued = "Ausstellungsdatum",
    .due = "Fälligkeitsdatum",
    .order = "Bestellung",
    .payment = "Zahlungsstatus",
    .currency = "Währung",
    .billTo = "Rechnungsempfänger",
    .tenantId = "Mandanten-ID",
    .country = "Land/Region",
    .description = "Beschreibung",
    .quantity = "Menge",
    .unitPrice = "Einzelpreis",
    .tax = "Steuern",
    .amount = "Betrag",
    .subtotal = "Zwischensumme",
    .total = "Gesamt",
    .period = "Leistungszeitraum",
    .pageOf = "Seite {p} von {n}",
    .colon = ": ",
    .paid = "Bezahlt",
    .declined = "Abgelehnt",
    .dueStatus = "Fällig",
    .refunded = "Erstattet",
    .overdue = "Überfällig",
    .group = ".",
    .decimal = ",",
    .percent = "\u00a0%",  // German sets a no-break space before %
};

constexpr Labels kZhCn{
    .invoice = "发票",
    .creditNote = "贷项通知单",
    .number = "编号",
    .issued = "开具日期",
    .due = "付款截止日期",
    .order = "订单",
    .payment = "付款状态",
    .currency = "币种",
    .billTo = "账单接收方",
    .tenantId = "租户 ID",
    .country = "国家/地区",
    .description = "说明",
    .quantity = "数量",
    .unitPrice = "单价",
    .tax = "税费",
    .amount = "金额",
    .subtotal = "小计",
    .total = "总计",
    .period = "服务期间",
    .pageOf = "第 {p} 页，共 {n} 页",
    .colon = "：",
    .paid = "已付款",
    .declined = "已拒绝",
    .dueStatus = "待付款",
    .refunded = "已退款",
    .overdue = "已逾期",
    .group = ",",
    .decimal = ".",
    .percent = "%",
};

const Labels& LabelsFor(std::string_view locale) {
  if (locale == "zh-TW") return kZhTw;
  if (locale == "de-DE") return kDeDe;
  if (locale == "zh-CN") return kZhCn;
  return kEnUs;
}

std::string Replace(std::string_view pattern, std::string_view key, std::string_view value) {
  std::string s(pattern);
  if (auto at = s.find(key); at != std::string::npos) s.replace(at, key.size(), value);
  return s;
}

std::string PaymentStatusText(const Labels& l, const std::string& status) {
  // Paid by card (captured) or by a transfer the operator recorded (paid).
  if (status == "captured" || status == "paid") return std::string(l.paid);
  if (status == "overdue") return std::string(l.overdue);
  if (status == "declined") return std::string(l.declined);
  if (status == "due") return std::string(l.dueStatus);
  if (status == "refunded") return std::string(l.refunded);
  return status;
}

// Inserts `sep` between groups of three digits of a run of decimal digits.
std::string GroupDigits(std::string_view digits, std::string_view sep) {
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += sep;
    out += digits[i];
  }
  return out;
}

// 500 -> "5%", 1950 -> "19.5%" ("19,5 %" in de-DE), 825 -> "8.25%".
std::string FormatRate(int bp, const Labels& l) {
  const int64_t v = bp < 0 ? -static_cast<int64_t>(bp) : bp;
  std::string s = (bp < 0 ? "-" : "") + std::to_string(v / 100);
  if (int64_t frac = v % 100; frac != 0) {
    std::string f = frac < 10 ? "0" + std::to_string(frac) : std::to_string(frac);
    if (f.back() == '0') f.pop_back();
    s += std::string(l.decimal) + f;
  }
  return s + std::string(l.percent);
}

struct IsoDate {
  std::string y, m, d;  // digits as written
  int month, day;
};

// Parses "YYYY-MM-DD" (month 1..12, day 1..31); nullopt for anything else.
std::optional<IsoDate> ParseIsoDate(const std::string& s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return std::nullopt;
  for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9})
    if (s[i] < '0' || s[i] > '9') return std::nullopt;
  IsoDate d{s.substr(0, 4), s.substr(5, 2), s.substr(8, 2), 0, 0};
  d.month = (s[5] - '0') * 10 + (s[6] - '0');
  d.day = (s[8] - '0') * 10 + (s[9] - '0');
  if (d.month < 1 || d.month > 12 || d.day < 1 || d.day > 31) return std::nullopt;
  return d;
}

// "2026-11-24" -> "Nov 24, 2026" | "24.11.2026" | "2026年11月24日"; other text unchanged.
std::string FormatDate(const std::string& iso, std::string_view locale) {
  const auto d = ParseIsoDate(iso);
  if (!d) return iso;
  if (locale == "de-DE") return d->d + "." + d->m + "." + d->y;
  if (locale == "zh-TW" || locale == "zh-CN")
    return d->y + "年" + std::to_string(d->month) + "月" + std::to_string(d->day) + "日";
  static constexpr std::array<std::string_view, 12> kMonths{
      "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  return std::string(kMonths[static_cast<size_t>(d->month - 1)]) + " " + std::to_string(d->day) +
         ", " + d->y;
}

// The font list for a document (pango falls back along it per character).
//
// Han characters take regional glyph shapes, so the CJK face follows the
// locale, or for en-US and de-DE documents the buyer's country (a Taiwanese
// buyer's name in Traditional shapes on an English invoice).
//
// Size: cairo 1.16 subsets the CFF-based Noto CJK faces coarsely: each Han
// glyph, and some Latin ones such as 'ä', pulls in ~35-50 KB of subroutines
// per face. Chinese documents accept that (~150 KB); English and German ones
// set Latin text in DejaVu Sans (TrueType, subset to the glyphs used; from
// fonts-dejavu-core, which fontconfig itself depends on) and use Noto CJK
// only for Han characters, which keeps them at ~20-40 KB.
std::string FontFamily(const InvoiceDoc& doc) {
  if (doc.locale == "zh-TW") return "Noto Sans CJK TC,DejaVu Sans,sans-serif";
  if (doc.locale == "zh-CN") return "Noto Sans CJK SC,DejaVu Sans,sans-serif";
  const std::string& c = doc.buyerCountry;
  std::string cjk = "Noto Sans CJK SC";
  if (c == "TW" || c == "MO") {
    cjk = "Noto Sans CJK TC";
  } else if (c == "HK") {
    cjk = "Noto Sans CJK HK";
  } else if (c == "JP") {
    cjk = "Noto Sans CJK JP";
  } else if (c == "KR") {
    cjk = "Noto Sans CJK KR";
  }
  return "DejaVu Sans," + cjk + ",sans-serif";
}

// ---------------------------------------------------------------- RAII

struct CairoSurfaceFree {
  void operator()(cairo_surface_t* s) const { cairo_surface_destroy(s); }
};
struct CairoFree {
  void operator()(cairo_t* c) const { cairo_destroy(c); }
};
struct GObjectFree {
  void operator()(void* o) const { g_object_unref(o); }
};
struct FontDescFree {
  void operator()(PangoFontDescription* d) const { pango_font_description_free(d); }
};
struct AttrListFree {
  void operator()(PangoAttrList* a) const { pango_attr_list_unref(a); }
};
struct GFree {
  void operator()(char* p) const { g_free(p); }
};
using SurfacePtr = std::unique_ptr<cairo_surface_t, CairoSurfaceFree>;
using CairoPtr = std::unique_ptr<cairo_t, CairoFree>;
using FontMapPtr = std::unique_ptr<PangoFontMap, GObjectFree>;
using ContextPtr = std::unique_ptr<PangoContext, GObjectFree>;
using LayoutPtr = std::unique_ptr<PangoLayout, GObjectFree>;
using FontDescPtr = std::unique_ptr<PangoFontDescription, FontDescFree>;

// Any bytes to valid UTF-8 (invalid sequences become U+FFFD).
std::string ValidUtf8(std::string_view s) {
  if (g_utf8_validate(s.data(), static_cast<gssize>(s.size()), nullptr)) return std::string(s);
  std::unique_ptr<char, GFree> fixed(g_utf8_make_valid(s.data(), static_cast<gssize>(s.size())));
  return std::string(fixed.get());
}

// cairo's stream sink: appends to the std::string given as closure.
cairo_status_t AppendToString(void* closure, const unsigned char* data, unsigned int length) {
  try {
    static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
    return CAIRO_STATUS_SUCCESS;
  } catch (const std::bad_alloc&) {
    return CAIRO_STATUS_NO_MEMORY;  // exceptions must not cross cairo's C frames
  }
}

// ---------------------------------------------------------------- page geometry (points)

constexpr double kPageW = 595.2756;  // A4: 210 mm
constexpr double kPageH = 841.8898;  // A4: 297 mm
constexpr double kMargin = 48;
constexpr double kContentW = kPageW - 2 * kMargin;
constexpr double kBodyBottom = kPageH - 64;  // rows end above the footer
constexpr double kFooterY = kPageH - 40;

// Table columns: x offset from the margin and width.
struct Column {
  double x, w;
  bool numeric;
};
constexpr Column kDescCol{0, 207, false};
constexpr Column kQtyCol{207, 56, true};
constexpr Column kUnitCol{263, 80, true};
constexpr Column kTaxCol{343, 72, true};
constexpr Column kAmountCol{415, kContentW - 415, true};
constexpr double kCellPad = 4;
constexpr double kRowPad = 5;

struct Style {
  double size = 9;
  bool bold = false;
  PangoAlignment align = PANGO_ALIGN_LEFT;
  double gray = 0.1;  // text color
  int maxLines = 0;   // 0: unlimited
};

constexpr Style kBody{};
constexpr Style kBodyRight{9, false, PANGO_ALIGN_RIGHT, 0.1, 0};
constexpr Style kMuted{8, false, PANGO_ALIGN_LEFT, 0.4, 0};
constexpr Style kMutedRight{8, false, PANGO_ALIGN_RIGHT, 0.4, 0};
constexpr Style kHead{8.5, true, PANGO_ALIGN_LEFT, 0.25, 0};
constexpr Style kHeadRight{8.5, true, PANGO_ALIGN_RIGHT, 0.25, 0};

// ---------------------------------------------------------------- renderer

// Lays out and draws one document. Every Draw* method returns the height it
// takes; with draw == false it only measures, so pagination and drawing use
// the same code.
class InvoiceRenderer {
 public:
  InvoiceRenderer(const InvoiceDoc& doc, cairo_t* cr, PangoContext* ctx)
      : doc_(doc), l_(LabelsFor(doc.locale)), cr_(cr), ctx_(ctx), family_(FontFamily(doc)) {}

  void Render() {
    // Measure.
    const double firstHeader = DrawFirstPageHeader(false);
    const double nextHeader = DrawRunningHeader(false);
    const double tableHeader = DrawTableHeader(0, false);
    std::vector<double> rowHeights;
    rowHeights.reserve(doc_.lines.size());
    for (const InvoiceLine& line : doc_.lines) rowHeights.push_back(DrawRow(line, 0, false));
    const double totals = DrawTotals(0, false);

    // Paginate: rows fill each page's body; the totals follow the last row,
    // on a page of their own if they do not fit.
    struct Page {
      size_t begin = 0, end = 0;
      bool table = true;  // whether the page has a table header
    };
    std::vector<Page> pages{{0, 0, true}};
    double y = kMargin + firstHeader + tableHeader;
    for (size_t i = 0; i < rowHeights.size(); ++i) {
      if (y + rowHeights[i] > kBodyBottom && i > pages.back().begin) {
        pages.back().end = i;
        pages.push_back({i, i, true});
        y = kMargin + nextHeader + tableHeader;
      }
      y += rowHeights[i];
    }
    pages.back().end = rowHeights.size();
    if (y + kGapBeforeTotals + totals > kBodyBottom)
      pages.push_back({rowHeights.size(), rowHeights.size(), false});

    // Draw.
    const std::string total = std::to_string(pages.size());
    for (size_t p = 0; p < pages.size(); ++p) {
      y = kMargin + (p == 0 ? DrawFirstPageHeader(true) : DrawRunningHeader(true));
      if (pages[p].table) y += DrawTableHeader(y, true);
      for (size_t i = pages[p].begin; i < pages[p].end; ++i) y += DrawRow(doc_.lines[i], y, true);
      if (p + 1 == pages.size()) DrawTotals(y + kGapBeforeTotals, true);
      DrawFooter(Replace(Replace(l_.pageOf, "{p}", std::to_string(p + 1)), "{n}", total));
      cairo_show_page(cr_);
    }
  }

 private:
  static constexpr double kGapBeforeTotals = 14;

  // Lays out `text` in a box `width` wide with its top-left corner at (x, y)
  // and draws it when `draw`. Returns the height of the laid-out text.
  double Text(std::string_view text, const Style& s, double x, double y, double width, bool draw) {
    LayoutPtr layout(pango_layout_new(ctx_));
    FontDescPtr font(pango_font_description_from_string(family_.c_str()));
    pango_font_description_set_weight(font.get(), s.bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
    pango_font_description_set_absolute_size(font.get(), s.size * PANGO_SCALE);
    pango_layout_set_font_description(layout.get(), font.get());
    pango_layout_set_width(layout.get(), static_cast<int>(width * PANGO_SCALE));
    pango_layout_set_wrap(layout.get(), PANGO_WRAP_WORD_CHAR);
    pango_layout_set_alignment(layout.get(), s.align);
    if (s.maxLines > 0) {
      pango_layout_set_height(layout.get(), -s.maxLines);  // negative: a number of lines
      pango_layout_set_ellipsize(layout.get(), PANGO_ELLIPSIZE_END);
    }
    // No ligatures: a viewer would extract "ﬁ" (U+FB01) from "Springfield"'s
    // fi-glyph, and a search for "Springfield" would miss it.
    std::unique_ptr<PangoAttrList, AttrListFree> attrs(pango_attr_list_new());
    pango_attr_list_insert(attrs.get(), pango_attr_font_features_new("liga=0,clig=0,dlig=0"));
    pango_layout_set_attributes(layout.get(), attrs.get());
    const std::string valid = ValidUtf8(text);  // plain text, never markup
    pango_layout_set_text(layout.get(), valid.data(), static_cast<int>(valid.size()));
    int w = 0, h = 0;
    pango_layout_get_size(layout.get(), &w, &h);
    if (draw) {
      cairo_set_source_rgb(cr_, s.gray, s.gray, s.gray);
      cairo_move_to(cr_, x, y);
      pango_cairo_show_layout(cr_, layout.get());
    }
    return static_cast<double>(h) / PANGO_SCALE;
  }

  void Rule(double x, double y, double w, double gray, double thickness) {
    cairo_set_source_rgb(cr_, gray, gray, gray);
    cairo_set_line_width(cr_, thickness);
    cairo_move_to(cr_, x, y);
    cairo_line_to(cr_, x + w, y);
    cairo_stroke(cr_);
  }

  std::string Title() const {
    return std::string(doc_.kind == "credit_note" ? l_.creditNote : l_.invoice);
  }

  std::string Money(int64_t minor) const { return FormatAmount(minor, doc_.currency, doc_.locale); }

  // Seller at the left; title and the document's facts at the right; then
  // the buyer. Returns the height including the gap before the table.
  double DrawFirstPageHeader(bool draw) {
    constexpr double kLeftW = 180, kRightX = kMargin + 190, kRightW = kContentW - 190;
    constexpr double kLabelW = 100;  // leaves a GUID (order id) room on one line

    double left = kMargin;
    left +=
        Text(doc_.sellerName, {13, true, PANGO_ALIGN_LEFT, 0.1, 2}, kMargin, left, kLeftW, draw);
    left += 2;
    left += Text(doc_.sellerAddress, {8.5, false, PANGO_ALIGN_LEFT, 0.35, 6}, kMargin, left, kLeftW,
                 draw);

    double right = kMargin;
    right += Text(Title(), {20, true, PANGO_ALIGN_RIGHT, 0.1, 1}, kRightX, right, kRightW, draw);
    right += 6;
    auto fact = [&](std::string_view label, const std::string& value) {
      if (value.empty()) return;
      const double h1 = Text(label, kMuted, kRightX, right + 0.5, kLabelW, draw);
      const double h2 = Text(value, kBodyRight, kRightX + kLabelW, right, kRightW - kLabelW, draw);
      right += std::max(h1, h2) + 2;
    };
    fact(l_.number, doc_.number);
    fact(l_.issued, FormatDate(doc_.issuedDate, doc_.locale));
    fact(l_.due, FormatDate(doc_.dueDate, doc_.locale));
    fact(l_.order, doc_.orderId);
    fact(l_.payment, PaymentStatusText(l_, doc_.paymentStatus));
    fact(l_.currency, doc_.currency);

    double y = std::max(left, right) + 18;
    y += Text(l_.billTo, kHead, kMargin, y, kContentW, draw) + 3;
    y += Text(doc_.buyerName, {11, true, PANGO_ALIGN_LEFT, 0.1, 2}, kMargin, y, 320, draw) + 2;
    auto buyerFact = [&](std::string_view label, const std::string& value) {
      if (value.empty()) return;
      const double h1 = Text(label, kMuted, kMargin, y + 0.5, kLabelW, draw);
      const double h2 = Text(value, kBody, kMargin + kLabelW, y, 320 - kLabelW, draw);
      y += std::max(h1, h2) + 2;
    };
    buyerFact(l_.country, doc_.buyerCountry);
    buyerFact(l_.tenantId, doc_.buyerTenantId);
    return y + 16 - kMargin;
  }

  // On pages after the first: the title and number, small. Returns the height.
  double DrawRunningHeader(bool draw) {
    const double h = Text(Title() + "  " + doc_.number, {10, true, PANGO_ALIGN_LEFT, 0.25, 1},
                          kMargin, kMargin, kContentW, draw);
    if (draw) Rule(kMargin, kMargin + h + 6, kContentW, 0.8, 0.5);
    return h + 16;
  }

  double DrawTableHeader(double y, bool draw) {
    struct Cell {
      const Column& col;
      std::string_view text;
    };
    const std::array<Cell, 5> cells{{{kDescCol, l_.description},
                                     {kQtyCol, l_.quantity},
                                     {kUnitCol, l_.unitPrice},
                                     {kTaxCol, l_.tax},
                                     {kAmountCol, l_.amount}}};
    double h = 0;
    for (const Cell& c : cells)
      h = std::max(
          h, Text(c.text, c.col.numeric ? kHeadRight : kHead, 0, 0, c.col.w - 2 * kCellPad, false));
    const double rowH = h + 2 * kRowPad;
    if (draw) {
      cairo_set_source_rgb(cr_, 0.93, 0.93, 0.93);
      cairo_rectangle(cr_, kMargin, y, kContentW, rowH);
      cairo_fill(cr_);
      for (const Cell& c : cells)
        Text(c.text, c.col.numeric ? kHeadRight : kHead, kMargin + c.col.x + kCellPad, y + kRowPad,
             c.col.w - 2 * kCellPad, true);
    }
    return rowH;
  }

  double DrawRow(const InvoiceLine& line, double y, bool draw) {
    auto cell = [&](const Column& col, std::string_view text, const Style& s, double top) {
      return Text(text, s, kMargin + col.x + kCellPad, top, col.w - 2 * kCellPad, draw);
    };
    const double top = y + kRowPad;
    Style desc = kBody;
    desc.maxLines = kMaxDescriptionLines;
    double descH = cell(kDescCol, line.description, desc, top);
    if (!line.period.empty()) {
      Style period = kMuted;
      period.maxLines = 2;
      descH += 1 + cell(kDescCol, std::string(l_.period) + std::string(l_.colon) + line.period,
                        period, top + descH + 1);
    }
    double h = descH;
    h = std::max(h, cell(kQtyCol, std::to_string(line.quantity), kBodyRight, top));
    h = std::max(h, cell(kUnitCol, Money(line.unitPriceMinor), kBodyRight, top));
    h = std::max(h, cell(kTaxCol, Money(line.taxMinor), kBodyRight, top));
    h = std::max(h, cell(kAmountCol, Money(line.amountMinor), kBodyRight, top));
    const double rowH = h + 2 * kRowPad;
    if (draw) Rule(kMargin, y + rowH, kContentW, 0.85, 0.5);
    return rowH;
  }

  double DrawTotals(double y, bool draw) {
    constexpr double kW = 250, kX = kMargin + kContentW - kW, kLabelW = 120;
    const double start = y;
    auto row = [&](const std::string& label, const std::string& value, const Style& ls,
                   const Style& vs) {
      const double h1 = Text(label, ls, kX, y, kLabelW, draw);
      const double h2 = Text(value, vs, kX + kLabelW, y, kW - kLabelW, draw);
      y += std::max(h1, h2) + 4;
    };
    row(std::string(l_.subtotal), Money(doc_.subtotalMinor), kBody, kBodyRight);
    row(std::string(l_.tax) + " (" + FormatRate(doc_.taxRateBp, l_) + ")", Money(doc_.taxMinor),
        kBody, kBodyRight);
    if (draw) Rule(kX, y, kW, 0.3, 0.8);
    y += 5;
    const Style bold{11, true, PANGO_ALIGN_LEFT, 0.1, 0};
    const Style boldRight{11, true, PANGO_ALIGN_RIGHT, 0.1, 0};
    row(std::string(l_.total), Money(doc_.totalMinor) + " " + doc_.currency, bold, boldRight);
    return y - start;
  }

  void DrawFooter(const std::string& pageText) {
    Rule(kMargin, kFooterY - 6, kContentW, 0.85, 0.5);
    Text(doc_.sellerName + " · " + Title() + " " + doc_.number,
         {7.5, false, PANGO_ALIGN_LEFT, 0.45, 1}, kMargin, kFooterY, kContentW * 0.7, true);
    Text(pageText, {7.5, false, PANGO_ALIGN_RIGHT, 0.45, 1}, kMargin + kContentW * 0.7, kFooterY,
         kContentW * 0.3, true);
  }

  const InvoiceDoc& doc_;
  const Labels& l_;
  cairo_t* cr_;
  PangoContext* ctx_;
  std::string family_;
};

void CheckCairo(cairo_status_t status, const char* what) {
  if (status != CAIRO_STATUS_SUCCESS)
    throw std::runtime_error(std::string("invoice PDF: ") + what + ": " +
                             cairo_status_to_string(status));
}

}  // namespace

std::string FormatAmount(int64_t amountMinor, const std::string& currency,
                         const std::string& locale) {
  // ld::FormatMoney gives "-1234.56 USD" with the currency's exponent; regroup it.
  std::string plain = ld::FormatMoney(amountMinor, currency);
  const std::string suffix = " " + currency;
  if (plain.size() >= suffix.size() &&
      plain.compare(plain.size() - suffix.size(), suffix.size(), suffix) == 0)
    plain.resize(plain.size() - suffix.size());
  const Labels& l = LabelsFor(locale);
  std::string_view v = plain;
  std::string out;
  if (!v.empty() && v.front() == '-') {
    out = "-";
    v.remove_prefix(1);
  }
  const size_t dot = v.find('.');
  out += GroupDigits(v.substr(0, dot), l.group);
  if (dot != std::string_view::npos) out += std::string(l.decimal) + std::string(v.substr(dot + 1));
  return out;
}

std::string RenderInvoicePdf(const InvoiceDoc& doc) {
  std::string out;
  {
    SurfacePtr surface(cairo_pdf_surface_create_for_stream(&AppendToString, &out, kPageW, kPageH));
    CheckCairo(cairo_surface_status(surface.get()), "create surface");

    // Metadata. A fixed creation date (the issue date, else a constant) instead
    // of cairo's default "now" keeps the bytes deterministic.
    const std::string title =
        ValidUtf8(std::string(doc.kind == "credit_note" ? LabelsFor(doc.locale).creditNote
                                                        : LabelsFor(doc.locale).invoice) +
                  " " + doc.number);
    cairo_pdf_surface_set_metadata(surface.get(), CAIRO_PDF_METADATA_TITLE, title.c_str());
    cairo_pdf_surface_set_metadata(surface.get(), CAIRO_PDF_METADATA_AUTHOR,
                                   ValidUtf8(doc.sellerName).c_str());
    cairo_pdf_surface_set_metadata(surface.get(), CAIRO_PDF_METADATA_CREATOR, "licensedesk");
    const std::string date = ParseIsoDate(doc.issuedDate) ? doc.issuedDate + "T00:00:00Z"
                                                          : std::string("2000-01-01T00:00:00Z");
    cairo_pdf_surface_set_metadata(surface.get(), CAIRO_PDF_METADATA_CREATE_DATE, date.c_str());
    cairo_pdf_surface_set_metadata(surface.get(), CAIRO_PDF_METADATA_MOD_DATE, date.c_str());

    CairoPtr cr(cairo_create(surface.get()));
    CheckCairo(cairo_status(cr.get()), "create context");

    FontMapPtr fontMap(pango_cairo_font_map_new());  // per call: see the note at the top
    ContextPtr ctx(pango_font_map_create_context(fontMap.get()));
    pango_cairo_update_context(cr.get(), ctx.get());
    // Unhinted metrics: positions as designed, not snapped to a screen's pixels.
    cairo_font_options_t* options = cairo_font_options_create();
    cairo_font_options_set_hint_style(options, CAIRO_HINT_STYLE_NONE);
    cairo_font_options_set_hint_metrics(options, CAIRO_HINT_METRICS_OFF);
    pango_cairo_context_set_font_options(ctx.get(), options);
    cairo_font_options_destroy(options);
    const std::string lang = doc.locale.empty() ? "en-us" : doc.locale;
    pango_context_set_language(ctx.get(), pango_language_from_string(lang.c_str()));

    InvoiceRenderer(doc, cr.get(), ctx.get()).Render();

    CheckCairo(cairo_status(cr.get()), "draw");
    cr.reset();
    cairo_surface_finish(surface.get());
    CheckCairo(cairo_surface_status(surface.get()), "finish");
  }
  return out;
}

}  // namespace ld::pdf
