// libFuzzer target for the catalog loader (domain/catalog.h): any bytes must
// give a catalog or an InvalidCatalog error naming a line, never a crash.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "domain/catalog.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto c = ld::Catalog::Parse(text, "fuzz.json");
  if (!c.ok()) {
    if (c.error().code != "InvalidCatalog") std::abort();
    if (c.error().message.rfind("fuzz.json:", 0) != 0) std::abort();
  } else {
    for (const auto& sku : c->skus())
      if (sku.minQuantity < 1 || sku.minQuantity > sku.maxQuantity) std::abort();
  }
  return 0;
}
