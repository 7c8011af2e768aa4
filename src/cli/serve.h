// The `serve`, `migrate` and `demo` commands: the composition root that builds
// the object graph (catalog, store, gateway, clock, context, server) explicitly
// and owns it for the life of the process.
#pragma once

#include <cstdint>
#include <string>

namespace ld::cli {

struct CommonOptions {
  std::string db;             // database URL
  std::string gatewayLedger;  // the test gateway's append-only ledger; empty: in memory
  std::string cloud = "worldwide";
  std::string catalog;  // catalog JSON file
  std::string deploymentDomain = "licensedesk.test";
};

struct ServeOptions {
  CommonOptions common;
  std::string listen = "127.0.0.1:8080";
  bool demo = false;
  std::string tlsCert, tlsKey;
  std::string webRoot;
  bool noSignup = false;
  bool testClock = false;
  std::string operatorToken;   // the operator's bearer secret (moves the test clock)
  std::string publicUrl;       // absolute links (nextLink, Location); empty: from --listen
  bool ssoAllowHttp = false;   // single sign-on issuers may be http:// (tests)
  std::string trustedProxies;  // peers whose X-Forwarded-For names the client
  std::string logFile;
  int workers = 64;               // handler threads
  int ioThreads = 1;              // event-loop threads
  size_t maxConnections = 16384;  // open connections; past it a 503
  int keepAliveSeconds = 60;      // an idle keep-alive connection is closed after
  // Retention (app/retention.h).
  int keepIdempotencyHours = 24;  // at least 24
  int keepExpiredCartsDays = 30;
  int keepExpiredTokensDays = 1;
};

// Exit codes: 0 success, 1 runtime failure, 2 configuration error.
int RunServe(const ServeOptions& o);
// `migrate --db URL`: applies the schema. With `from` and `to`: copies a whole
// deployment into an empty database and verifies it (store/copy.h).
int RunMigrate(const CommonOptions& o, const std::string& from = {}, const std::string& to = {});
int RunDemo(const CommonOptions& o);
// `invoice pay --number N [--reference TEXT]`: the operator records a bank
// transfer for an invoice (app::MarkInvoicePaid) and gets one line saying what
// happened. N as shown on the invoice ("INV-000042") or just 42. 0: paid (or already paid with this
// reference); 1: refused (unknown number, credit note, not paid by transfer, paid with another
// reference) or a runtime failure; 2: bad input.
int RunInvoicePay(const CommonOptions& o, const std::string& number, const std::string& reference);
// `invoice list [--status due|overdue|paid]`: every organization's invoices in
// that payment status, one a line.
int RunInvoiceList(const CommonOptions& o, const std::string& status);

// The repository's defaults (LD_SOURCE_DIR): catalog/catalog.json, web/dist.
std::string DefaultCatalogPath();
std::string DefaultWebRoot();  // empty when web/dist does not exist

}  // namespace ld::cli
