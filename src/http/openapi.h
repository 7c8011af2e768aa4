// The OpenAPI 3.1 document of this server, generated from the route table
// (http/routes.h), so a route cannot be missing from it: every entry of
// Routes() becomes one operation; request and response bodies refer to the
// component schemas defined in openapi.cpp (a test checks every reference
// resolves). Built once; thread-safe.
#pragma once

#include <string>

#include "http/json_io.h"

namespace ld::http {

const Json& OpenApiDocument();
const std::string& OpenApiText();  // pretty-printed JSON

}  // namespace ld::http
