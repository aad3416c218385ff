// The parsers of lib io/ (one per kind of value, docs/cli.md "Grammar"): whole numbers, reals,
// angles and their canonical text, width lists, architecture files, input files. Expected values
// are written out by hand or computed by a second route (exact rationals, a plain loop).
#include <doctest/doctest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>
#include <unistd.h>

#include "relumix/core/error.hpp"
#include "relumix/io/angles.hpp"
#include "relumix/io/architectures.hpp"
#include "relumix/io/numbers.hpp"
#include "relumix/io/widths.hpp"
#include "support.hpp"

using namespace relumix;

namespace {

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

double seconds(const std::function<void()>& f) {
  auto t0 = std::chrono::steady_clock::now();
  f();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// counts how often it is printed
struct Printer {
  int* n;
  friend std::ostream& operator<<(std::ostream& o, const Printer& p) { return o << ++*p.n; }
};

// Release: well under a second for 10^6 items; the sanitizers slow everything down ~10x.
double time_limit() { return test::sanitized() ? 10.0 : 1.0; }

}  // namespace

TEST_CASE("require builds its message only on failure, from any printable parts") {
  int built = 0;
  for (int i = 0; i < 1000; ++i) require(true, "never ", Printer{&built});
  CHECK(built == 0);
  CHECK(error_of([&] { require(false, "width ", 3, " is below ", 2L, ", got '", std::string("x"), "' ", 'c', Printer{&built}); }) ==
        "width 3 is below 2, got 'x' c1");
  CHECK(message("a", 1u, "/", Rational(1, 3)) == "a1/1/3");
}

TEST_CASE("whole numbers: one grammar") {
  const std::uint64_t big = std::numeric_limits<std::uint64_t>::max();
  CHECK(parse_integer("0", 0, 10) == 0);
  CHECK(parse_integer("007", 0, 10) == 7);  // decimal, never octal
  CHECK(parse_integer("5000", 1, big) == 5000);
  CHECK(parse_integer("1e6", 1, big) == 1000000);
  CHECK(parse_integer("1E+6", 1, big) == 1000000);
  CHECK(parse_integer("2.5e3", 1, big) == 2500);
  CHECK(parse_integer("10.0", 1, big) == 10);
  CHECK(parse_integer("120e-1", 1, big) == 12);
  CHECK(parse_integer("18446744073709551615", 0, big) == big);
  CHECK(parse_integer("1e19", 0, big) == 10000000000000000000ULL);
  CHECK(parse_integer("0e999999999999", 0, 5) == 0);
  for (const char* bad : {"", "0x10", "+3", " 3", "3 ", "1e", "e5", ".5", "1.5", "1e-1", "1_000", "3a", "--1", "1e6.0",
                          "18446744073709551616", "1e20", "99999999999999999999999", "1e999999999999", "-", "nan",
                          "inf", "0b101", "1,000", "١"}) {
    INFO("'" << std::string(bad) << "'");
    CHECK_THROWS_AS(parse_integer(bad, 0, big), InputError);
  }
  CHECK(error_of([] { parse_integer("0x10", 1, 100); }) ==
        "'0x10' is not a whole number (digits, optionally with an exponent: 5000, 1e6, 2.5e3)");
  CHECK(error_of([] { parse_integer("-1", 1, 100); }) == "'-1' is negative (the minimum is 1)");
  CHECK(error_of([] { parse_integer("0", 1, 100); }) == "'0' is below the minimum 1");
  CHECK(error_of([] { parse_integer("2e10", 1, 10000000000ULL); }) == "'2e10' is above the maximum 1e10");
  CHECK(error_of([] { parse_integer("2.5", 1, 100); }) == "'2.5' is not a whole number");
  CHECK(format_count(20000) == "20000");
  CHECK(format_count(1000000) == "1e6");
  CHECK(format_count(2000000000000ULL) == "2e12");
  CHECK(format_count(1234567) == "1234567");
  // a long input is quoted shortened: one readable line
  std::string longbad(100000, '7');
  longbad += "x";
  std::string m = error_of([&] { parse_integer(longbad, 0, 10); });
  CHECK(m.size() < 200);
  CHECK(m.find("100001 characters") != std::string::npos);
}

TEST_CASE("integer lists and reals") {
  CHECK(parse_integer_list("1, 16", 1, 16, 2) == std::vector<std::uint64_t>{1, 16});
  CHECK_THROWS_AS(parse_integer_list("1,2,3", 1, 16, 2), InputError);
  CHECK_THROWS_AS(parse_integer_list("1,,3", 1, 16, 5), InputError);
  CHECK(error_of([] { parse_integer_list("1,17", 1, 16, 2); }) == "item 2: '17' is above the maximum 16");
  CHECK(parse_real("0.25", 0, 1) == Rational(1, 4));
  CHECK(parse_real("1/3", 0, 1) == Rational(1, 3));
  CHECK(parse_real("-2.5e-1", -1, 1) == Rational(-1, 4));
  CHECK_THROWS_AS(parse_real("1/0", 0, 1), InputError);
  CHECK_THROWS_AS(parse_real("2", 0, 1), InputError);
  CHECK_THROWS_AS(parse_real("0x1", 0, 1), InputError);
  CHECK_THROWS_AS(parse_real("", 0, 1), InputError);
}

TEST_CASE("angles: grammar, exact values, canonical text") {
  struct Case {
    const char* in;
    Rational pc, off;
    const char* text;
  };
  for (const Case& c : std::vector<Case>{{"0.1", 0, Rational(1, 10), "0.1"},
                                         {"0.10", 0, Rational(1, 10), "0.1"},
                                         {"1e-12", 0, Rational(1, 1000000000000LL), "1e-12"},
                                         {"0.0001", 0, Rational(1, 10000), "1e-4"},
                                         {"0.05", 0, Rational(1, 20), "0.05"},
                                         {"2.5e-7", 0, Rational(1, 4000000), "2.5e-7"},
                                         {"1/3", 0, Rational(1, 3), "1/3"},
                                         {"pi", 1, 0, "pi"},
                                         {"pi/3", Rational(1, 3), 0, "pi/3"},
                                         {" pi / 3 ", Rational(1, 3), 0, "pi/3"},
                                         {"2pi/5", Rational(2, 5), 0, "2pi/5"},
                                         {"3*pi/4", Rational(3, 4), 0, "3pi/4"},
                                         {"2/5*pi", Rational(2, 5), 0, "2pi/5"},
                                         {"pi-1e-4", 1, Rational(-1, 10000), "pi-1e-4"},
                                         {"pi/2+0.1", Rational(1, 2), Rational(1, 10), "pi/2+0.1"},
                                         {"pi/2+1/3", Rational(1, 2), Rational(1, 3), "pi/2+1/3"},
                                         {"0", 0, 0, "0"}}) {
    INFO(std::string(c.in));
    Theta t = parse_theta(c.in);
    CHECK(t.pi_coeff == c.pc);
    CHECK(t.offset == c.off);
    CHECK(t.text == c.text);
    // the canonical text reads back as the same angle
    Theta u = parse_theta(t.text);
    CHECK(u.pi_coeff == t.pi_coeff);
    CHECK(u.offset == t.offset);
  }
  CHECK(parse_theta("1e-99999").text == "1e-99999");
  for (const char* bad : {"", "  ", "pi pi", "pipi", "x", "pi/", "pi/0", "pi/-3", "pi+", "pi*2", "0.1.2", "pi-pi", "1e",
                          "--1"}) {
    INFO("'" << std::string(bad) << "'");
    CHECK_THROWS_AS(parse_theta(bad), InputError);
  }
  CHECK(error_of([] { parse_theta(""); }) == "empty angle (use e.g. 0.1, 1e-12, pi/3, 2pi/5, pi-1e-4)");
  CHECK_THROWS_AS(parse_theta_checked("0", true), InputError);
  CHECK(parse_theta_checked("0", false).is_zero());
  CHECK(parse_theta_checked("1e-99999", true).text == "1e-99999");
  CHECK_THROWS_AS(parse_theta_checked("3.1416"), InputError);
  CHECK(parse_theta_checked("3.1415").text == "3.1415");
  CHECK_THROWS_AS(parse_theta_checked("pi+1e-300"), InputError);
  CHECK_THROWS_AS(parse_theta_checked("-1e-300"), InputError);
  CHECK(error_of([] { parse_theta_checked("4"); }) == "angle '4' is outside [0, pi] (pi = 3.14159...)");
}

TEST_CASE("angle lists and grids") {
  auto g = parse_thetas("0:pi:5");
  REQUIRE(g.size() == 5);
  CHECK(g[1].text == "pi/4");
  CHECK(g[4].is_pi());
  CHECK(parse_thetas("0.1, pi/3").size() == 2);
  CHECK_THROWS_AS(parse_thetas("0:pi"), InputError);
  CHECK_THROWS_AS(parse_thetas("0:pi:0"), InputError);
  CHECK_THROWS_AS(parse_thetas("0:pi:0x10"), InputError);
  CHECK_THROWS_AS(parse_thetas("0:pi:5:6"), InputError);
  CHECK_THROWS_AS(parse_thetas("0.1,,0.2"), InputError);
  CHECK_THROWS_AS(parse_thetas(""), InputError);
  CHECK_THROWS_AS(parse_thetas("0.1,0.2,0.3", false, 2), InputError);
  CHECK(error_of([] { parse_thetas("0:pi:20", false, 10); }) == "grid count: '20' is above the maximum 10");
}

TEST_CASE("width lists: grammar, limits, round trip") {
  CHECK(parse_widths("256x3") == std::vector<long>{256, 256, 256});
  CHECK(parse_widths("64, 128 ,256X2") == std::vector<long>{64, 128, 256, 256});
  CHECK(parse_widths("1e3x2") == std::vector<long>{1000, 1000});
  CHECK(parse_widths("1", 1) == std::vector<long>{1});
  CHECK(parse_widths("1000000000000") == std::vector<long>{1000000000000L});
  for (const char* bad : {"", ",", "64,", ",64", "64,,64", "1", "abc", "64x0", "64x", "x3", "64x2x2", "-64", "0x10",
                          "64x1000001", "1000000000001", "2 56", "64;128"}) {
    INFO("'" << std::string(bad) << "'");
    CHECK_THROWS_AS(parse_widths(bad), InputError);
  }
  CHECK(error_of([] { parse_widths("64,128,1x2"); }) == "width list item 3: width '1' is below the minimum 2");
  CHECK(error_of([] { parse_widths("64x0"); }) == "width list item 1: layer count '0' is below the minimum 1");
  CHECK(error_of([] { parse_widths("2x600000,2x500000"); }) == "more than 1e6 entries in the width list");
  CHECK_THROWS_AS(parse_widths("16x2", 2, WidthSyntax::Values), InputError);
  CHECK(parse_widths("16,32", 2, WidthSyntax::Values) == std::vector<long>{16, 32});
  for (const char* w : {"256x32", "256x16,128x16", "64,128,256", "5,5x3,7"}) {
    auto v = parse_widths(w);
    CHECK(parse_widths(format_widths(v)) == v);
  }
  CHECK(format_widths({5, 5, 5, 5, 7}) == "5x4,7");
}

TEST_CASE("width lists parse in linear time (10^6 items well under a second)") {
  std::string big;
  big.reserve(8000000);
  for (int i = 0; i < 1000000; ++i) big += (i ? "," : "") + std::to_string(2 + i % 5000);
  std::vector<long> w;
  double t = seconds([&] { w = parse_widths(big); });
  REQUIRE(w.size() == 1000000);
  CHECK(w[999999] == 2 + 999999 % 5000);
  MESSAGE("10^6 widths: " << t << " s");
  CHECK(t < time_limit());
  // the error at the last item of a long list is as cheap (the message is built once)
  std::string bad = big + ",2";
  std::string m;
  t = seconds([&] { m = error_of([&] { parse_widths(bad); }); });
  CHECK(m == "more than 1e6 entries in the width list");
  MESSAGE("10^6 widths and an error at the end: " << t << " s");
  CHECK(t < time_limit());
  // angle lists too
  std::string angles;
  for (int i = 0; i < 50000; ++i) angles += (i ? ",0." : "0.") + std::to_string(1 + i % 9);
  std::vector<Theta> th;
  t = seconds([&] { th = parse_thetas(angles); });
  CHECK(th.size() == 50000);
  MESSAGE("5 10^4 angles: " << t << " s");
  CHECK(t < time_limit());
}

TEST_CASE("architecture files") {
  auto a = parse_architectures("# comment\nwide: 1024x8\n\n  narrow : 16x8  # trailing\n64x4,32x4\r\n");
  REQUIRE(a.size() == 3);
  CHECK(a[0].name == "wide");
  CHECK(a[0].widths == std::vector<long>(8, 1024));
  CHECK(a[1].name == "narrow");
  CHECK(a[2].name == "64x4,32x4");
  CHECK(a[2].widths.size() == 8);
  CHECK(error_of([] { parse_architectures("# nothing\n"); }) ==
        "no architectures in the list (one 'name: widths' or 'widths' per line)");
  CHECK(error_of([] { parse_architectures("ok: 64x2\nbad: 1x3\n"); }) ==
        "architectures line 2: width list item 1: width '1' is below the minimum 2");
  CHECK_THROWS_AS(parse_architectures(": 64x2\n"), InputError);
  CHECK_THROWS_AS(parse_architectures("a: b: 64\n"), InputError);
  CHECK_THROWS_AS(parse_architectures("2x1000000\n2x1000000\n2x1000000\n2x1000000\n2x1000000\n2x1000000\n2x1000000\n"
                                      "2x1000000\n2x1000000\n2x1000000\n2x1000000\n"),
                  InputError);  // more than kMaxScreenLayers in all
  // long files are linear
  std::string big;
  for (int i = 0; i < 200000; ++i) big += "net" + std::to_string(i) + ": 64x4,32\n";
  std::vector<Architecture> v;
  double t = seconds([&] { v = parse_architectures(big); });
  CHECK(v.size() == 200000);
  CHECK(t < time_limit());
}

TEST_CASE("input files: the real cause of a failure") {
  auto dir = std::filesystem::temp_directory_path() / ("relumix_io_" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  auto file = dir / "a.txt";
  std::ofstream(file) << "wide: 64x2\n";
  CHECK(read_text_file(file.string()) == "wide: 64x2\n");
  CHECK(error_of([&] { read_text_file(dir.string()); }) == "'" + dir.string() + "' is a directory, not a file");
  CHECK(error_of([&] { read_text_file((dir / "missing").string()); }) ==
        "cannot read '" + (dir / "missing").string() + "': no such file");
  CHECK_THROWS_AS(read_text_file(""), InputError);
  std::filesystem::remove_all(dir);
}
