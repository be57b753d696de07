// ledger/vectors.h: the known-answer vectors for events and envelopes (testdata/event/,
// testdata/envelope/), built from fixed inputs so that a second implementation can check its
// encoding against them. Used by the generator (ledger_vectors) and by the tests.
#pragma once

#include <nlohmann/json.hpp>

#include "base/error.h"
#include "ledger/event.h"

namespace entente::ledger {

// A fully specified example header with a fixed author key (seed 0x01 0x02 ... 0x20), signed,
// whose body is `body`.
Result<EventHeader> ExampleHeader(const EventBody& body);

// The example body: canonical meta for message.post and the given envelope.
EventBody ExampleBody(const Bytes& envelope);

// JSON description of `header` field by field (bytes as hex), as in testdata/event/v1.json.
nlohmann::json HeaderToJson(const EventHeader& header);

}  // namespace entente::ledger
