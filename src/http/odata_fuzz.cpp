// libFuzzer target for the OData query parser (http/odata.h).
// Build (the lead wires it into CMake): clang++ -std=c++20 -fsanitize=fuzzer,address,undefined
//   -Isrc src/http/odata_fuzz.cpp src/http/odata.cpp src/domain/guid.cpp -lsodium
// Run: ./odata_fuzz tests/fuzz/corpus/odata
//
// Properties checked beyond "no crash, no sanitizer report":
//   - an accepted $filter prints to a canonical text that parses back to the same tree;
//   - Matches() terminates on every accepted tree;
//   - the other option parsers accept or refuse the same bytes without crashing.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <string>
#include <string_view>

#include "http/odata.h"

namespace odata = ld::http::odata;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  auto parsed = odata::ParseFilter(text);
  if (parsed.ok()) {
    const std::string canonical = odata::ToString(*parsed);
    // The canonical form may be longer than the input (it adds spaces); only
    // texts within the limit must round-trip.
    if (canonical.size() <= odata::kMaxFilterBytes) {
      auto again = odata::ParseFilter(canonical);
      if (!again.ok() || !(*again == *parsed)) std::abort();
    }
    odata::UserView user{"adele@contoso.com",
                         "Adele Vance",
                         "adele@contoso.com",
                         true,
                         "US",
                         {"6fd2c87f-b296-42f0-b197-1e91e994b900", "not-a-guid"}};
    (void)odata::Matches(*parsed, user);
    (void)odata::RequiresAdvancedQuery(*parsed);
  } else if (parsed.error().code != "BadRequest" &&
             parsed.error().code != "Request_UnsupportedQuery") {
    std::abort();
  }

  static constexpr std::string_view kSelectable[] = {"id", "displayName", "mail"};
  (void)odata::ParseSelect(text, kSelectable);
  (void)odata::ParseTop(text);
  (void)odata::ParseCount(text);
  (void)odata::ParseSkipToken(text);
  std::multimap<std::string, std::string> params{{"$filter", std::string(text)},
                                                 {"$top", std::string(text)}};
  (void)odata::ParseUsersQuery(params, {kSelectable, {}});
  return 0;
}
