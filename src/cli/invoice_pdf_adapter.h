// Wires the pdf layer into the HTTP server: maps an invoice as the http layer
// sees it (http::InvoicePdfInput) to pdf::InvoiceDoc and renders it.
#pragma once

#include "http/routes.h"

namespace ld::cli {

http::InvoicePdfRenderer MakeInvoicePdfRenderer();

}  // namespace ld::cli
