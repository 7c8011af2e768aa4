#include "pdf/invoice_pdf.h"

#include <zlib.h>

#include <array>
#include <cctype>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

// LeakSanitizer (LD_SANITIZE=address): fontconfig keeps its configuration
// for the life of the process (a one-time ~300 bytes), and cairo 1.16 leaks
// ~1.5 KB inside cairo_surface_finish() for each PDF that embeds a CFF (Noto
// CJK) subset. Neither is this code's; without debug symbols for the
// libraries a module-wide suppression is the narrowest available. Has no
// effect in builds without the sanitizer.
extern "C" const char* __lsan_default_suppressions() {
  return "leak:libfontconfig.so\nleak:libcairo.so\n";
}

// ThreadSanitizer (LD_SANITIZE=thread): the libraries synchronize with locks
// TSan cannot see, so it reports races that are not there:
//  - pango 1.50 runs fontconfig work on its own threads ("[pango] FcInit",
//    "[pango] FcFontSetMatch") and hands results back through glib's
//    futex-based GMutex/GCond (reported even by a single-threaded test);
//  - pango shares one cached hb_buffer_t between threads under a glib
//    G_LOCK (harfbuzz memsets reported between callers);
//  - glibc's tzset (cairo formatting the PDF dates) runs under glibc's
//    internal lock.
// Ignore the interceptor calls those libraries make; RenderInvoicePdf's own
// code stays instrumented.
extern "C" const char* __tsan_default_suppressions() {
  return "called_from_lib:libfontconfig.so\ncalled_from_lib:libpangoft2-1.0.so\n"
         "called_from_lib:libglib-2.0.so\ncalled_from_lib:libharfbuzz.so\n"
         "race:tzset_internal\n";
}

namespace ld::pdf {
namespace {

// ------------------------------------------------------------------------
// A small PDF reader, enough to pull the text out of what cairo writes: it
// follows the xref table, inflates FlateDecode streams, maps every font's
// codes through its /ToUnicode CMap and reads Tj/TJ from the content
// streams. Text comes out exactly as a viewer's copy or search would see it,
// so these tests prove extractability without poppler.
// ------------------------------------------------------------------------

std::string Inflate(std::string_view in) {
  z_stream z{};
  if (inflateInit(&z) != Z_OK) return {};
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  std::string out;
  std::array<char, 65536> buf{};
  int rc = Z_OK;
  while (rc == Z_OK) {
    z.next_out = reinterpret_cast<Bytef*>(buf.data());
    z.avail_out = static_cast<uInt>(buf.size());
    rc = inflate(&z, Z_NO_FLUSH);
    out.append(buf.data(), buf.size() - z.avail_out);
  }
  inflateEnd(&z);
  return out;
}

void AppendUtf8(char32_t cp, std::string* out) {
  if (cp < 0x80) {
    *out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    *out += static_cast<char>(0xC0 | (cp >> 6));
    *out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    *out += static_cast<char>(0xE0 | (cp >> 12));
    *out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    *out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    *out += static_cast<char>(0xF0 | (cp >> 18));
    *out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    *out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    *out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

std::vector<uint8_t> HexBytes(std::string_view hex) {
  std::vector<uint8_t> out;
  std::string digits;
  for (char c : hex)
    if (std::isxdigit(static_cast<unsigned char>(c))) digits += c;
  if (digits.size() % 2) digits += '0';
  for (size_t i = 0; i < digits.size(); i += 2)
    out.push_back(static_cast<uint8_t>(std::stoi(digits.substr(i, 2), nullptr, 16)));
  return out;
}

uint32_t BytesToCode(const std::vector<uint8_t>& b) {
  uint32_t v = 0;
  for (uint8_t x : b) v = (v << 8) | x;
  return v;
}

// UTF-16BE bytes to UTF-8.
std::string Utf16ToUtf8(const std::vector<uint8_t>& b) {
  std::string out;
  for (size_t i = 0; i + 1 < b.size(); i += 2) {
    char32_t u = static_cast<char32_t>((b[i] << 8) | b[i + 1]);
    if (u >= 0xD800 && u <= 0xDBFF && i + 3 < b.size()) {
      char32_t lo = static_cast<char32_t>((b[i + 2] << 8) | b[i + 3]);
      u = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00);
      i += 2;
    }
    AppendUtf8(u, &out);
  }
  return out;
}

// Code -> Unicode text, from a ToUnicode CMap (bfchar and bfrange).
std::map<uint32_t, std::string> ParseToUnicode(const std::string& cmap) {
  std::map<uint32_t, std::string> out;
  std::istringstream in(cmap);
  std::string tok;
  auto hexToken = [&]() {
    std::string t;
    in >> t;
    return t;
  };
  while (in >> tok) {
    if (tok == "beginbfchar") {
      while (true) {
        std::string src = hexToken();
        if (src == "endbfchar" || src.empty()) break;
        std::string dst = hexToken();
        out[BytesToCode(HexBytes(src))] = Utf16ToUtf8(HexBytes(dst));
      }
    } else if (tok == "beginbfrange") {
      while (true) {
        std::string lo = hexToken();
        if (lo == "endbfrange" || lo.empty()) break;
        std::string hi = hexToken();
        std::string dst = hexToken();
        const uint32_t a = BytesToCode(HexBytes(lo)), z = BytesToCode(HexBytes(hi));
        if (dst == "[") {
          for (uint32_t c = a; c <= z; ++c) out[c] = Utf16ToUtf8(HexBytes(hexToken()));
          hexToken();  // "]"
        } else {
          std::vector<uint8_t> d = HexBytes(dst);
          for (uint32_t c = a; c <= z; ++c) {
            out[c] = Utf16ToUtf8(d);
            if (!d.empty() && ++d.back() == 0 && d.size() > 1) ++d[d.size() - 2];
          }
        }
      }
    }
  }
  return out;
}

class PdfReader {
 public:
  explicit PdfReader(std::string bytes) : b_(std::move(bytes)) {
    size_t sx = b_.rfind("startxref");
    if (sx == std::string::npos) return;
    std::istringstream in(b_.substr(sx + 9));
    size_t xref = 0;
    in >> xref;
    std::istringstream x(b_.substr(xref));
    std::string word;
    x >> word;  // "xref"
    int first = 0, count = 0;
    while (x >> first >> count) {
      for (int i = 0; i < count; ++i) {
        std::string off, gen, kind;
        x >> off >> gen >> kind;
        if (kind == "n") offsets_[first + i] = std::stoul(off);
      }
    }
  }

  size_t ObjectCount() const { return offsets_.size(); }

  // The object's text from "obj" up to "stream" or "endobj".
  std::string Dict(int obj) const {
    auto it = offsets_.find(obj);
    if (it == offsets_.end()) return {};
    size_t start = b_.find("obj", it->second) + 3;
    size_t end = std::min(b_.find("stream", start), b_.find("endobj", start));
    return b_.substr(start, end - start);
  }

  // The object's stream, inflated when it is FlateDecode.
  std::string Stream(int obj) const {
    const std::string dict = Dict(obj);
    size_t start = b_.find("stream", b_.find("obj", offsets_.at(obj))) + 6;
    if (b_[start] == '\r') ++start;
    if (b_[start] == '\n') ++start;
    size_t len = 0;
    std::istringstream in(dict.substr(dict.find("/Length") + 7));
    std::string a, b, c;
    in >> a >> b >> c;
    len = (c == "R") ? std::stoul(Dict(std::stoi(a))) : std::stoul(a);
    std::string data = b_.substr(start, len);
    return dict.find("/FlateDecode") != std::string::npos ? Inflate(data) : data;
  }

  // Every object number whose dictionary contains `needle`.
  std::vector<int> Find(std::string_view needle) const {
    std::vector<int> out;
    for (const auto& [n, off] : offsets_)
      if (Dict(n).find(needle) != std::string::npos) out.push_back(n);
    return out;
  }

  // The referenced object number after `key` in `dict` ("/Key 12 0 R"), or -1.
  static int Ref(const std::string& dict, std::string_view key) {
    size_t at = dict.find(key);
    if (at == std::string::npos) return -1;
    std::istringstream in(dict.substr(at + key.size()));
    int n = -1, gen = 0;
    std::string r;
    in >> n >> gen >> r;
    return r == "R" ? n : -1;
  }

  // The pages' text, in page order.
  std::vector<std::string> PageTexts() const {
    // Fonts by resource name (cairo names them uniquely per document).
    struct Font {
      std::map<uint32_t, std::string> toUnicode;
      int codeBytes = 1;
    };
    std::map<std::string, Font> fonts;
    for (int res : Find("/Font <<")) {
      const std::string d = Dict(res);
      std::istringstream in(d.substr(d.find("/Font <<") + 8));
      std::string name, num, gen, r;
      while (in >> name && name != ">>") {
        in >> num >> gen >> r;
        const std::string fd = Dict(std::stoi(num));
        Font f;
        f.codeBytes = fd.find("/Type0") != std::string::npos ? 2 : 1;
        if (int tu = Ref(fd, "/ToUnicode"); tu >= 0) f.toUnicode = ParseToUnicode(Stream(tu));
        fonts[name.substr(1)] = std::move(f);
      }
    }
    std::vector<std::string> pages;
    for (int kid : Kids()) {
      const std::string content = Stream(Ref(Dict(kid), "/Contents"));
      pages.push_back(ContentText(content, fonts));
    }
    return pages;
  }

  // The page objects in order (from the /Pages tree's /Kids).
  std::vector<int> Kids() const {
    std::vector<int> out;
    for (int p : Find("/Type /Pages")) {
      const std::string d = Dict(p);
      std::istringstream in(d.substr(d.find("/Kids [") + 7));
      std::string num, gen, r;
      while (in >> num && num != "]") {
        in >> gen >> r;
        out.push_back(std::stoi(num));
      }
    }
    return out;
  }

 private:
  template <typename FontMap>
  static std::string ContentText(const std::string& s, const FontMap& fonts) {
    std::string out;
    const typename FontMap::mapped_type* font = nullptr;
    std::string lastName;
    auto show = [&](const std::string& bytes) {
      if (!font) return;
      for (size_t i = 0; i + font->codeBytes <= bytes.size(); i += font->codeBytes) {
        uint32_t code = 0;
        for (int k = 0; k < font->codeBytes; ++k)
          code = (code << 8) | static_cast<uint8_t>(bytes[i + k]);
        auto it = font->toUnicode.find(code);
        out += it == font->toUnicode.end() ? "?" : it->second;
      }
    };
    std::vector<std::string> strings;  // string operands since the last operator
    size_t i = 0;
    while (i < s.size()) {
      const char c = s[i];
      if (std::isspace(static_cast<unsigned char>(c)) || c == '[' || c == ']') {
        ++i;
      } else if (c == '(') {  // literal string with escapes and balanced parentheses
        std::string str;
        int depth = 1;
        ++i;
        while (i < s.size() && depth > 0) {
          char ch = s[i++];
          if (ch == '\\' && i < s.size()) {
            char e = s[i++];
            if (e >= '0' && e <= '7') {
              int v = e - '0';
              for (int k = 0; k < 2 && i < s.size() && s[i] >= '0' && s[i] <= '7'; ++k)
                v = v * 8 + (s[i++] - '0');
              str += static_cast<char>(v);
            } else if (e == 'n') {
              str += '\n';
            } else if (e == 'r') {
              str += '\r';
            } else if (e == 't') {
              str += '\t';
            } else if (e == '\n') {
              // line continuation
            } else {
              str += e;
            }
            continue;
          }
          if (ch == '(') ++depth;
          if (ch == ')' && --depth == 0) break;
          str += ch;
        }
        strings.push_back(str);
      } else if (c == '<' && i + 1 < s.size() && s[i + 1] == '<') {
        i += 2;
      } else if (c == '>' && i + 1 < s.size() && s[i + 1] == '>') {
        i += 2;
      } else if (c == '<') {  // hex string
        size_t end = s.find('>', i);
        std::vector<uint8_t> b = HexBytes(s.substr(i + 1, end - i - 1));
        strings.emplace_back(b.begin(), b.end());
        i = end + 1;
      } else if (c == '/') {
        size_t end = i + 1;
        while (end < s.size() && !std::isspace(static_cast<unsigned char>(s[end])) &&
               std::string_view("/[]()<>").find(s[end]) == std::string_view::npos)
          ++end;
        lastName = s.substr(i + 1, end - i - 1);
        i = end;
      } else {
        size_t end = i;
        while (end < s.size() && !std::isspace(static_cast<unsigned char>(s[end])) &&
               std::string_view("/[]()<>").find(s[end]) == std::string_view::npos)
          ++end;
        if (end == i) end = i + 1;
        const std::string op = s.substr(i, end - i);
        i = end;
        if (std::isdigit(static_cast<unsigned char>(op[0])) || op[0] == '-' || op[0] == '.')
          continue;  // a number operand
        if (op == "Tf") {
          auto it = fonts.find(lastName);
          font = it == fonts.end() ? nullptr : &it->second;
        } else if (op == "Tj" || op == "TJ") {
          for (const std::string& str : strings) show(str);
        } else if (op == "Td" || op == "TD" || op == "Tm" || op == "T*" || op == "ET") {
          out += '\n';
        }
        strings.clear();
      }
    }
    return out;
  }

  std::string b_;
  std::map<int, size_t> offsets_;
};

std::string Joined(const std::vector<std::string>& pages) {
  std::string all;
  for (const auto& p : pages) all += p + "\f";
  return all;
}

size_t Count(std::string_view haystack, std::string_view needle) {
  size_t n = 0;
  for (size_t at = haystack.find(needle); at != std::string_view::npos;
       at = haystack.find(needle, at + needle.size()))
    ++n;
  return n;
}

// ------------------------------------------------------------------------
// Documents
// ------------------------------------------------------------------------

InvoiceDoc Sample(const std::string& locale) {
  InvoiceDoc d;
  d.locale = locale;
  d.number = "INV-000123";
  d.kind = "invoice";
  d.issuedDate = "2026-11-24";
  d.dueDate = "2026-12-24";
  d.sellerName = "Contoso Ltd.";
  d.sellerAddress = "1 Main Street\nSpringfield";
  d.buyerTenantId = "6fd2c87f-b296-42f0-b197-1e91e994b900";
  d.orderId = "0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b";
  d.paymentStatus = "due";
  if (locale == "zh-TW") {
    d.buyerName = "台灣數位股份有限公司";
    d.buyerCountry = "TW";
    d.currency = "TWD";
    d.taxRateBp = 500;
    d.lines = {{"Microsoft 365 商務標準版", 10, 12345, 123450, 6173, "2026-11-24 – 2026-12-23"}};
  } else if (locale == "zh-CN") {
    d.buyerName = "北京数字科技有限公司";
    d.buyerCountry = "CN";
    d.currency = "CNY";
    d.taxRateBp = 600;
    d.lines = {{"Microsoft 365 商业标准版", 10, 12345, 123450, 7407, "2026-11-24 – 2026-12-23"}};
  } else if (locale == "de-DE") {
    d.buyerName = "Größenwahn Bäckerei GmbH";
    d.buyerCountry = "DE";
    d.currency = "EUR";
    d.taxRateBp = 1900;
    d.lines = {{"Microsoft 365 Business Standard (jährlich)", 10, 12345, 123450, 23456, ""}};
  } else {
    d.buyerName = "Fabrikam, Inc.";
    d.buyerCountry = "US";
    d.currency = "USD";
    d.taxRateBp = 0;
    d.lines = {{"Microsoft 365 Business Standard", 10, 12345, 123450, 0, "Nov 24 – Dec 23"}};
  }
  d.subtotalMinor = 123450;
  d.taxMinor = d.lines[0].taxMinor;
  d.totalMinor = d.subtotalMinor + d.taxMinor;
  return d;
}

// ------------------------------------------------------------------------
// Tests
// ------------------------------------------------------------------------

TEST(InvoicePdfTest, IsAPdfFile) {
  const std::string pdf = RenderInvoicePdf(Sample("en-US"));
  ASSERT_GT(pdf.size(), 1000u);
  EXPECT_EQ(pdf.substr(0, 5), "%PDF-");
  EXPECT_NE(pdf.find("%%EOF", pdf.size() - 16), std::string::npos);
  PdfReader reader(pdf);
  EXPECT_GT(reader.ObjectCount(), 5u);
  EXPECT_EQ(reader.Kids().size(), 1u);
  EXPECT_NE(pdf.find("/MediaBox [ 0 0 595.2756 841.8898 ]"), std::string::npos) << "A4 in points";
}

TEST(InvoicePdfTest, EmbedsFontSubsetsWithToUnicodeMaps) {
  PdfReader reader(RenderInvoicePdf(Sample("zh-TW")));
  const std::vector<int> descriptors = reader.Find("/Type /FontDescriptor");
  ASSERT_FALSE(descriptors.empty());
  for (int d : descriptors) {
    const std::string dict = reader.Dict(d);
    EXPECT_TRUE(dict.find("/FontFile2") != std::string::npos ||
                dict.find("/FontFile3") != std::string::npos)
        << "embedded: " << dict;
    // A subset's name carries a six-letter tag: /FontName /ABCDEF+Name.
    const size_t at = dict.find("/FontName /");
    ASSERT_NE(at, std::string::npos);
    EXPECT_EQ(dict[at + 17], '+') << dict.substr(at, 40);
  }
  // Every font the pages use maps its codes back to Unicode.
  const std::vector<int> fonts = reader.Find("/Type /Font\n");
  ASSERT_GE(fonts.size(), 2u);
  for (int f : fonts) {
    const std::string dict = reader.Dict(f);
    if (dict.find("/Subtype /CIDFontType") != std::string::npos) continue;  // a descendant
    EXPECT_NE(dict.find("/ToUnicode"), std::string::npos) << dict;
  }
}

struct LocaleCase {
  std::string locale;
  std::vector<std::string> expected;  // pieces the extracted text must contain
  std::string cjkFont;                // the Noto CJK face that must be embedded, or ""
};

class InvoicePdfLocaleTest : public ::testing::TestWithParam<LocaleCase> {};

TEST_P(InvoicePdfLocaleTest, TextIsLocalizedAndExtractable) {
  const LocaleCase& c = GetParam();
  const std::string pdf = RenderInvoicePdf(Sample(c.locale));
  PdfReader reader(pdf);
  const std::string text = Joined(reader.PageTexts());
  for (const std::string& piece : c.expected)
    EXPECT_NE(text.find(piece), std::string::npos) << "missing '" << piece << "' in:\n" << text;
  EXPECT_EQ(text.find('?'), std::string::npos) << "a glyph without a Unicode mapping:\n" << text;
  if (!c.cjkFont.empty()) {
    EXPECT_NE(pdf.find(c.cjkFont), std::string::npos) << "Han glyphs from " << c.cjkFont;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Locales, InvoicePdfLocaleTest,
    ::testing::Values(
        LocaleCase{"en-US",
                   {"Invoice",
                    "INV-000123",
                    "Bill to",
                    "Fabrikam, Inc.",
                    "Springfield",
                    "Nov 24, 2026",
                    "Dec 24, 2026",
                    "Due date",
                    "Microsoft 365 Business Standard",
                    "Quantity",
                    "Unit price",
                    "123.45",
                    "1,234.50",
                    "Subtotal",
                    "Tax (0%)",
                    "Total",
                    "1,234.50 USD",
                    "Payment status",
                    "Due",
                    "Page 1 of 1",
                    "6fd2c87f-b296-42f0-b197-1e91e994b900"},
                   ""},
        LocaleCase{"zh-TW",
                   {"發票", "帳單收件人", "台灣數位股份有限公司", "2026年11月24日", "付款到期日",
                    "Microsoft 365 商務標準版", "數量", "單價", "123.45", "1,234.50", "小計",
                    "稅金 (5%)", "總計", "1,296.23 TWD", "待付款", "第 1 頁，共 1 頁",
                    "服務期間：2026-11-24 – 2026-12-23"},
                   "NotoSansCJKtc"},
        LocaleCase{"zh-CN",
                   {"发票", "账单接收方", "北京数字科技有限公司", "2026年11月24日",
                    "Microsoft 365 商业标准版", "数量", "单价", "小计", "税费 (6%)", "总计",
                    "1,308.57 CNY", "第 1 页，共 1 页"},
                   "NotoSansCJKsc"},
        LocaleCase{"de-DE",
                   {"Rechnung", "Rechnungsempfänger", "Größenwahn Bäckerei GmbH", "24.11.2026",
                    "Fälligkeitsdatum", "Microsoft 365 Business Standard", "(jährlich)", "Menge",
                    "Einzelpreis", "123,45", "1.234,50", "Zwischensumme", "Steuern (19\u00a0%)",
                    "Gesamt", "1.469,06 EUR", "Fällig", "Seite 1 von 1"},
                   ""}),
    [](const ::testing::TestParamInfo<LocaleCase>& info) {
      std::string n = info.param.locale;
      n.erase(n.find('-'), 1);
      return n;
    });

TEST(InvoicePdfTest, CreditNoteTitles) {
  const std::vector<std::pair<std::string, std::string>> titles{{"en-US", "Credit note"},
                                                                {"zh-TW", "折讓單"},
                                                                {"de-DE", "Gutschrift"},
                                                                {"zh-CN", "贷项通知单"}};
  for (const auto& [locale, title] : titles) {
    InvoiceDoc d = Sample(locale);
    d.kind = "credit_note";
    d.paymentStatus = "refunded";
    const std::string text = Joined(PdfReader(RenderInvoicePdf(d)).PageTexts());
    EXPECT_NE(text.find(title), std::string::npos) << locale << ":\n" << text;
  }
}

TEST(InvoicePdfTest, TwoHundredLinesMakeSeveralNumberedPages) {
  InvoiceDoc d = Sample("en-US");
  d.lines.clear();
  for (int i = 0; i < 200; ++i)
    d.lines.push_back({"Seat line " + std::to_string(i) + ".", 1, 100, 100, 0, ""});
  d.subtotalMinor = d.totalMinor = 20000;
  d.taxMinor = 0;
  const std::vector<std::string> pages = PdfReader(RenderInvoicePdf(d)).PageTexts();
  ASSERT_GE(pages.size(), 4u);
  const std::string n = std::to_string(pages.size());
  for (size_t p = 0; p < pages.size(); ++p) {
    EXPECT_NE(pages[p].find("Page " + std::to_string(p + 1) + " of " + n), std::string::npos);
    EXPECT_NE(pages[p].find("Description"), std::string::npos) << "table header on page " << p + 1;
    EXPECT_EQ(pages[p].find("Total") != std::string::npos, p + 1 == pages.size())
        << "totals on the last page only";
  }
  const std::string all = Joined(pages);
  for (int i = 0; i < 200; ++i)
    EXPECT_EQ(Count(all, "Seat line " + std::to_string(i) + "."), 1u) << "line " << i;
  EXPECT_NE(pages.back().find("200.00 USD"), std::string::npos);
}

TEST(InvoicePdfTest, DescriptionsAreCappedAndInvalidUtf8IsReplaced) {
  InvoiceDoc d = Sample("en-US");
  std::string longText;
  for (int i = 0; i < 200; ++i) longText += "word" + std::to_string(i) + " ";
  d.lines = {{longText, 1, 1, 1, 0, ""}, {"bad \xff\xfe bytes", 1, 1, 1, 0, ""}};
  const std::string text = Joined(PdfReader(RenderInvoicePdf(d)).PageTexts());
  EXPECT_NE(text.find("…"), std::string::npos) << "ellipsized";
  EXPECT_EQ(text.find("word199"), std::string::npos);
  EXPECT_NE(text.find("bad"), std::string::npos);
  EXPECT_NE(text.find("\uFFFD"), std::string::npos);
}

TEST(InvoicePdfTest, EmptyDocumentRendersOnePage) {
  InvoiceDoc d;
  const std::string pdf = RenderInvoicePdf(d);
  EXPECT_EQ(pdf.substr(0, 5), "%PDF-");
  EXPECT_EQ(PdfReader(pdf).Kids().size(), 1u);
}

TEST(InvoicePdfTest, UnknownLocaleFallsBackToEnglish) {
  InvoiceDoc d = Sample("en-US");
  d.locale = "fr-FR";
  const std::string text = Joined(PdfReader(RenderInvoicePdf(d)).PageTexts());
  EXPECT_NE(text.find("Invoice"), std::string::npos);
  EXPECT_NE(text.find("1,234.50"), std::string::npos);
}

TEST(InvoicePdfTest, ZeroDecimalCurrency) {
  InvoiceDoc d = Sample("en-US");
  d.currency = "JPY";
  d.lines = {{"Seats", 3, 1500, 4500, 450, ""}};
  d.subtotalMinor = 4500;
  d.taxMinor = 450;
  d.totalMinor = 4950;
  d.taxRateBp = 1000;
  const std::string text = Joined(PdfReader(RenderInvoicePdf(d)).PageTexts());
  EXPECT_NE(text.find("1,500"), std::string::npos);
  EXPECT_NE(text.find("4,950 JPY"), std::string::npos);
  EXPECT_NE(text.find("Tax (10%)"), std::string::npos);
  EXPECT_EQ(text.find("4,950.00"), std::string::npos);
}

TEST(InvoicePdfTest, IsDeterministic) {
  const InvoiceDoc d = Sample("zh-TW");
  EXPECT_EQ(RenderInvoicePdf(d), RenderInvoicePdf(d));
}

TEST(InvoicePdfTest, LatinDocumentsStaySmall) {
  // Latin text is set in a TrueType face that subsets finely (see FontFamily).
  EXPECT_LT(RenderInvoicePdf(Sample("de-DE")).size(), 100u * 1024);
  EXPECT_LT(RenderInvoicePdf(Sample("en-US")).size(), 100u * 1024);
}

TEST(InvoicePdfTest, RendersConcurrently) {
  const std::vector<std::string> locales{"en-US", "zh-TW", "de-DE", "zh-CN"};
  std::vector<std::string> expected;
  for (const auto& l : locales) expected.push_back(RenderInvoicePdf(Sample(l)));
  constexpr int kThreads = 8;
  std::vector<std::string> got(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      for (int k = 0; k < 3; ++k) got[t] = RenderInvoicePdf(Sample(locales[t % locales.size()]));
    });
  for (auto& t : threads) t.join();
  for (int t = 0; t < kThreads; ++t)
    EXPECT_EQ(got[t], expected[t % locales.size()]) << "thread " << t;
}

// Cross-check with poppler, when it is installed (Debian poppler-utils).
TEST(InvoicePdfTest, PdftotextExtractsChineseAndAmounts) {
  if (std::system("command -v pdftotext >/dev/null 2>&1") != 0)
    GTEST_SKIP() << "pdftotext (poppler-utils) is not installed";
  const std::string path = ::testing::TempDir() + "invoice_pdf_test_zh.pdf";
  {
    std::ofstream out(path, std::ios::binary);
    out << RenderInvoicePdf(Sample("zh-TW"));
  }
  const std::string cmd = "pdftotext -enc UTF-8 '" + path + "' -";
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(cmd.c_str(), "r"), pclose);
  ASSERT_TRUE(pipe);
  std::string text;
  std::array<char, 4096> buf{};
  while (size_t n = fread(buf.data(), 1, buf.size(), pipe.get())) text.append(buf.data(), n);
  EXPECT_NE(text.find("發票"), std::string::npos) << text;
  EXPECT_NE(text.find("台灣數位股份有限公司"), std::string::npos) << text;
  EXPECT_NE(text.find("1,234.50"), std::string::npos) << text;
  std::remove(path.c_str());
}

struct AmountCase {
  int64_t minor;
  std::string currency, locale, expected;
};

TEST(FormatAmountTest, UsesTheCurrencyExponentAndLocaleGrouping) {
  const std::vector<AmountCase> cases{
      {123456, "USD", "en-US", "1,234.56"},
      {123456, "EUR", "de-DE", "1.234,56"},
      {123456, "TWD", "zh-TW", "1,234.56"},
      {123456, "CNY", "zh-CN", "1,234.56"},
      {123456, "JPY", "en-US", "123,456"},
      {123456, "JPY", "de-DE", "123.456"},
      {123456789012, "KRW", "en-US", "123,456,789,012"},
      {0, "USD", "en-US", "0.00"},
      {5, "USD", "en-US", "0.05"},
      {99999, "USD", "en-US", "999.99"},
      {100000, "USD", "en-US", "1,000.00"},
      {-123456, "EUR", "de-DE", "-1.234,56"},
      {-5, "USD", "en-US", "-0.05"},
      {INT64_MAX, "USD", "en-US", "92,233,720,368,547,758.07"},
      {INT64_MIN, "USD", "en-US", "-92,233,720,368,547,758.08"},
      {123456, "XYZ", "en-US", "1,234.56"},  // unknown currency: two decimals
      {123456, "USD", "fr-FR", "1,234.56"},  // unknown locale: en-US
  };
  for (const AmountCase& c : cases)
    EXPECT_EQ(FormatAmount(c.minor, c.currency, c.locale), c.expected)
        << c.minor << " " << c.currency << " " << c.locale;
}

}  // namespace
}  // namespace ld::pdf
