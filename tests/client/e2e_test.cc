// End-to-end tests against the mock server over real HTTP (filled below).
#include <catch2/catch.hpp>
