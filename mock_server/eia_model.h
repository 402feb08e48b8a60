// The EIA Open Data API v2 as plain code: request in, response out.
//
// EiaModel holds everything the API does: parsing a request (query string
// or X-Params header), validating it, generating rows deterministically from
// the seed, the rate limiter, the latency and fault model. It knows nothing
// about sockets or real time: the caller says what time it is (model time, in
// the model's own seconds) and the model says how long the answer should
// take. The HTTP server (mock_server/server.h) is a thin adapter around it;
// the `sim` target calls it directly on a virtual clock, so the two can never
// disagree about what the API does.
//
// Thread safety: Handle(), Stats() and Reset() may be called from many
// threads at once (the HTTP server's pool).
//
// (This is the contract the rest of eiabench relies on; the mock's owner
// completes it: options, profiles, truth, stats.)
#pragma once
