#pragma once
// The largest inputs relumix accepts, in one place. Every limit is a named constant here; the
// library checks its own (InputError naming what would be too long and what is allowed) and the
// command line reads the same constants. kLimits below lists them with the measured cost that
// justifies each value; docs/cli.md carries the same table ("Limits"), and the unit test
// unit.limits fails when the two differ (it prints the table to paste).
//
// When you change a limit: measure the cost at the new value (say the command and machine in
// `cost`), update the constant and its row, and paste the table the test prints into docs/cli.md.
#include <cstddef>
#include <cstdint>

namespace relumix {

// ---- inputs in general (io/)
constexpr long kMaxLayers = 1000000;                    // layers in a width list
constexpr long kMaxWidth = 1000000000000L;              // one width, 1e12
constexpr std::uint64_t kMaxExactWidth = 1000000000000000000ULL;  // angle, decay-series: exact in n, 1e18
constexpr long kMaxAngles = 10000000;                   // angles in a list or grid, 1e7
constexpr std::uint64_t kMaxSamples = 1000000000000ULL;  // Monte Carlo samples (grammar bound), 1e12
constexpr long kMaxDigits = 100000;                     // certified digits
constexpr int kMaxThreads = 4096;                       // worker threads
constexpr long kMaxArchitectures = 1000000;             // architectures in a file
constexpr long kMaxScreenLayers = 10000000;             // layers of all architectures in a file
constexpr std::uint64_t kMaxInputFileBytes = 256ULL << 20;  // an input file (architectures), 256 MiB

// ---- exact moments (moments/)
constexpr unsigned kMaxMomentOrder = 1500;  // a + b of J_{a,b} (closed form, values, series)
constexpr unsigned kMaxSeriesDegree = 5000;       // series --degree: powers of theta
constexpr double kMaxSeriesWork = 2e6;            // series: (a + b) x degree
constexpr unsigned kMaxVerifyOrder = 50;    // verify: all a, b <= this

// ---- activations (moments/activation)
constexpr std::size_t kMaxActivationTextLength = 200;  // the text of --activation (relu, abs, leaky:ALPHA)
constexpr unsigned kMaxActivationSlopeBits = 256;      // numerator and denominator of ALPHA, each
constexpr unsigned long kMaxActivationPowerBits = 1UL << 18;  // bits of ALPHA (numerator + denominator) x (a + b)

// ---- angle law (angle/)
constexpr unsigned kMaxCumulantOrder = 8;         // order in 1/n of mu, sigma^2 at a given theta
constexpr int kMaxActivationPredictOrder = 4;  // the accurate model's default order cap for alpha != 0 (predict)
constexpr unsigned kMaxCumulantSeriesOrder = 4;   // exact theta-series: orders in 1/n
constexpr unsigned kMaxCumulantSeriesTheta = 30;  // exact theta-series at orders >= 2: powers of theta
constexpr unsigned kMaxMapSeriesDegree = 80;      // map-series: powers of theta
constexpr long kMaxMapSeriesSteps = 200000;       // map-series --theta0: steps of the map to C(theta0) (about 24 pi/w)
constexpr double kMinMapSeriesWeight = 24 * 3.141592653589793 / kMaxMapSeriesSteps;  // the smallest w so allowed
constexpr unsigned kMaxDecaySeriesDegree = 60;    // decay-series: powers of theta
constexpr long kMaxAngleDigits = 10000;           // angle, decay-series: certified digits
constexpr unsigned kMaxArccosOrder = 20;          // arc-cosine kernel: order n
constexpr long kMaxArccosDepth = 1000000;         // arc-cosine kernel: depth (composed layers)
constexpr long kMaxAngleSmallness = 5000;        // angle --order 1: theta and pi - theta >= 10^-this
constexpr long kMaxAngleSmallnessSeries = 300;   // angle --order >= 2: likewise

// ---- predictions (predict/)
constexpr long kMaxGridPoints = 2000000;   // density grid points
constexpr double kMaxKernelValues = 1.6e8; // density kernel: grid points x kernel support (doubles), estimated
constexpr double kMaxPredictSeconds = 30;  // predict: estimated cost of the 1/n-series evaluations
// seconds of one certified evaluation of mu or sigma^2 of order K = 0..8 (measured at the slow end,
// small angles: predict -w 16x200 -t 1 --method full --order K; orders 5 and 7 interpolated)
constexpr double kPredictEvalSeconds[] = {0, 0, 7.5e-4, 2.3e-3, 6.6e-3, 2.2e-2, 7.2e-2, 0.15, 0.33};
constexpr long kMaxKeptValues = 30000000;  // densities kept for output (layers x grid points)

// ---- Monte Carlo (mc/)
constexpr std::uint64_t kMcMaxSamples = 1000000000000ULL;  // samples of mc, compare, accuracy, 1e12 (streamed)
constexpr double kMcMinTheta0 = 1e-290;                    // smallest theta0 (below, the chain reaches subnormal doubles)
constexpr std::uint64_t kMcMemoryLimit = 4ULL << 30;       // bytes of kept samples or statistics; larger is refused
constexpr long kMcMaxWidth = 10000000000L;                 // one chain layer, 1e10 neurons
constexpr double kMcMaxSampleWork = 1e10;  // one network: sum of the widths (chain), of n_l n_(l-1) (network)
constexpr double kMcMaxNetworkWork = 1e12;  // network mode: samples x sum n_l n_(l-1)
constexpr int kMaxHistogramBins = 1000000;               // mc --hist, compare --bins

// ---- collapse and norm (collapse/)
constexpr long kCollapseMaxWidth = 1000000;                     // exact law
constexpr long long kCollapseMaxDepth = 1000000000000000000LL;  // 1e18
constexpr long kCollapseMcMaxWidth = 100000;
constexpr long long kCollapseMcMaxDepth = 100000000;  // 1e8
constexpr double kCollapseMcMaxWork = 2e10;           // samples * depth * width * inputs
constexpr long kNormMaxWidth = 20000;                 // exact binomial sums cost O(n * M(n)) bit operations
constexpr long long kNormMaxDepth = 1000000000000000000LL;  // 1e18
constexpr double kNormMcMaxWork = 2e10;                     // samples * depth * width

// ---- accuracy (check/)
constexpr long kMaxAccuracyPoints = 1000;  // (width, theta) points of one accuracy run

// One row of the limits table (docs/cli.md).
struct LimitInfo {
  const char* name;     // the constant
  double value;         // its value (every value here is exact in a double)
  const char* unit;     // what is counted
  const char* applies;  // where it applies
  const char* cost;     // the measured cost that justifies it
};

inline constexpr LimitInfo kLimits[] = {
    {"kMaxLayers", double(kMaxLayers), "layers", "width lists (--widths), every command",
     "parsing 1e6 items: 0.1 s; the predictions and Monte Carlo bound their own work"},
    {"kMaxWidth", double(kMaxWidth), "neurons", "one width (--width, --widths)",
     "exact formulas are polynomial in 1/n; the Monte Carlo bounds its own work"},
    {"kMaxExactWidth", double(kMaxExactWidth), "neurons", "--width of angle and decay-series",
     "the formulas are exact rational functions of n: no cost grows with n"},
    {"kMaxAngles", double(kMaxAngles), "angles", "angle lists and grids (moment --theta lo:hi:count)",
     "1e7 values at 30 digits: about 1 min on 2 cores"},
    {"kMaxSamples", double(kMaxSamples), "samples", "--samples (grammar bound, every command)",
     "each Monte Carlo bounds its work below (kMcMaxSamples, kCollapseMcMaxWork, kNormMcMaxWork)"},
    {"kMaxDigits", double(kMaxDigits), "digits", "--digits (moment, collapse, norm)",
     "J_{1,1}(pi/3) to 1e5 digits: about 1 s"},
    {"kMaxThreads", double(kMaxThreads), "threads", "--threads", "one stack per thread"},
    {"kMaxArchitectures", double(kMaxArchitectures), "lines", "predict --architectures FILE",
     "parsing 1e6 lines: under 1 s; the screen itself is bounded by predict"},
    {"kMaxScreenLayers", double(kMaxScreenLayers), "layers", "predict --architectures FILE: all lines",
     "80 MB of widths"},
    {"kMaxInputFileBytes", double(kMaxInputFileBytes), "bytes", "input files (predict --architectures)",
     "read into memory at once"},
    {"kMaxMomentOrder", double(kMaxMomentOrder), "a + b", "moment, series, bessel",
     "closed form (2 shared cores): a + b = 400 0.18 s, 800 1.3 s, 1000 3.3 s, 1500 15 s and 200 MB, 2000 55 s and 450 MB; "
     "growth (a + b)^4.1"},
    {"kMaxSeriesDegree", double(kMaxSeriesDegree), "degree", "series --degree", "series 1 1 -k 5000: 0.6 s"},
    {"kMaxSeriesWork", kMaxSeriesWork, "(a + b) x degree", "series",
     "series 500 500 -k 2000: 8.8 s (3.3 s of it the closed form); the power sums grow as (a + b) x degree"},
    {"kMaxVerifyOrder", double(kMaxVerifyOrder), "a, b", "verify --max",
     "--max 20 0.4 s, 40 4.3 s, 50 10.3 s, 60 23.5 s, 80 78 s; growth max^4.2"},
    {"kMaxActivationTextLength", double(kMaxActivationTextLength), "characters", "--activation",
     "parsed in linear time"},
    {"kMaxActivationSlopeBits", double(kMaxActivationSlopeBits), "bits", "--activation leaky:ALPHA: numerator and denominator",
     "77 decimal digits; the moments carry ALPHA^(a+b), bounded by kMaxActivationPowerBits"},
    {"kMaxActivationPowerBits", double(kMaxActivationPowerBits), "bits x order",
     "moments of leaky:ALPHA: (bits of numerator + denominator) x (a + b)",
     "a + b = 1024 with a 253-bit ALPHA: +0.9 s and +80 MB over the ReLU closed form (9.4 s, 75 MB)"},
    {"kMaxCumulantOrder", double(kMaxCumulantOrder), "order", "--order (angle, predict, compare, accuracy)",
     "the order-8 plan: 0.5 s cold"},
    {"kMaxActivationPredictOrder", double(kMaxActivationPredictOrder), "order",
     "predict, compare --activation: the default order min(K(n), 4) (--order up to 8)",
     "coefficient tables built on first use: order 4 1.9 s, 6 8.9 s (two cores, load 3.4); about 5x per order"},
    {"kMaxCumulantSeriesOrder", double(kMaxCumulantSeriesOrder), "order", "decay-series --order",
     "exact double series"},
    {"kMaxCumulantSeriesTheta", double(kMaxCumulantSeriesTheta), "degree",
     "decay-series --degree with --order >= 2", "exact theta-series of the cumulant orders"},
    {"kMaxMapSeriesDegree", double(kMaxMapSeriesDegree), "degree", "map-series --degree",
     "degree 40 0.44 s, 60 3.2 s, 70 5.5 s, 80 13.7 s, 100 47 s; growth degree^5.3"},
    {"kMaxMapSeriesSteps", double(kMaxMapSeriesSteps), "steps", "map-series --theta0 with --activation F: about 24 pi/w steps (w < 1/5)",
     "about 10 us a step (Arb, 128 bits): leaky:0.9 from pi 12700 steps 0.2 s, leaky:0.95 53000 0.75 s, leaky:0.97 151000 1.3-1.6 s, leaky:0.9729 (at the limit) 1.7 s; "
     "refused below w = 3.77e-4 (leaky:ALPHA, ALPHA > 0.9729)"},
    {"kMaxDecaySeriesDegree", double(kMaxDecaySeriesDegree), "degree", "decay-series --degree",
     "decay-series -n 16 -k 60: 2.1 s"},
    {"kMaxAngleDigits", double(kMaxAngleDigits), "digits", "--digits (angle, decay-series)",
     "the angle law needs moments to a + b = 4 at the working precision; to be measured"},
    {"kMaxArccosOrder", double(kMaxArccosOrder), "order", "arc-cosine kernel (Python arccos_kernel)",
     "J_{n,n}: closed form and Taylor series of degree 96 prepared once per order, well under a second"},
    {"kMaxArccosDepth", double(kMaxArccosDepth), "layers", "arc-cosine kernel (Python arccos_kernel)",
     "one map step per layer and pair: 1e6 layers about 50 ms per pair"},
    {"kMaxAngleSmallness", double(kMaxAngleSmallness), "decimal exponent", "angle --order 1: theta, pi - theta >= 1e-5000",
     "the parts cancel (like theta^4 near 0): 8 log2(1/distance) more bits; -d 20: 1e-5000 0.14 s, pi-1e-5000 0.43 s "
     "(pi-1e-10000 no longer certifies sigma^2)"},
    {"kMaxAngleSmallnessSeries", double(kMaxAngleSmallnessSeries), "decimal exponent",
     "angle --order >= 2: theta, pi - theta >= 1e-300",
     "-d 20: --order 8 at 1e-300 41 s, at 1e-2000 over a minute; --order 3 at 1e-1000 1.2 s"},
    {"kMaxGridPoints", double(kMaxGridPoints), "points", "predict --grid and the grid a density needs",
     "the needed grid (step s_min/4) has a narrow kernel; a fine --grid is bounded by kMaxKernelValues"},
    {"kMaxKernelValues", kMaxKernelValues, "values", "predict density: grid points x kernel support",
     "estimated from s_max (an upper figure): --grid 20000 estimates 1.54e8; measured 10000 0.5 s, 224 MB; 20000 5.4 s, 865 MB; 30000 6.8 s, 1.9 GB; 100000 94 s, 21 GB (grid^2)"},
    {"kMaxPredictSeconds", kMaxPredictSeconds, "seconds", "predict --model paper-* --order K >= 2 (full, density): estimated",
     "one evaluation (predict -w 16x200 -t 1 --method full): K = 2 0.75 ms, 3 2.3 ms, 4 6.6 ms, 6 72 ms, 8 0.33 s; "
     "density: grid points x distinct widths x (mean, variance)"},
    {"kMaxKeptValues", double(kMaxKeptValues), "values", "densities kept (compare)", "240 MB of doubles"},
    {"kMcMaxSamples", double(kMcMaxSamples), "samples", "mc, compare, accuracy --samples",
     "statistics are streamed (memory independent of the samples); figure 1 (256x32): 10^12 samples take about "
     "200 core-days, so such runs are for clusters with --checkpoint"},
    {"kMcMinTheta0", kMcMinTheta0, "radians", "smallest --theta0 of the Monte Carlo",
     "mc -w 16 -t T -s 20000: X - ln T^2 = -0.1733 +- 0.006 for T = 1e-10 .. 1e-295, -0.171 at 1e-299, +0.573 at 1e-300 "
     "(the chain's arcs reach subnormal doubles)"},
    {"kMcMemoryLimit", double(kMcMemoryLimit), "bytes", "Monte Carlo kept samples (--dump-layer), statistics",
     "half of a 8 GiB machine"},
    {"kMcMaxWidth", double(kMcMaxWidth), "neurons", "one layer of mc (chain mode)",
     "a chain layer costs about 1.4 ns per neuron on one AVX-512 core: 1e10 neurons about 15 s"},
    {"kMcMaxSampleWork", kMcMaxSampleWork, "neuron steps", "one simulated network of mc, compare, accuracy",
     "chain: the sum of the widths, about 15 s at 1e10; network: the weights, sum n_l n_(l-1)"},
    {"kMcMaxNetworkWork", kMcMaxNetworkWork, "weights", "mc --mode network: samples x sum n_l n_(l-1)",
     "about 3 ns per weight on one core: 1e12 weights about 10 minutes on 2 cores"},
    {"kMaxHistogramBins", double(kMaxHistogramBins), "bins", "mc --hist, compare --bins", "8 MB per layer"},
    {"kCollapseMaxWidth", double(kCollapseMaxWidth), "neurons", "collapse (exact law)",
     "certified at any depth in well under a second"},
    {"kCollapseMaxDepth", double(kCollapseMaxDepth), "layers", "collapse, exact law", "closed form"},
    {"kCollapseMcMaxWidth", double(kCollapseMcMaxWidth), "neurons", "collapse Monte Carlo", "with the work bound"},
    {"kCollapseMcMaxDepth", double(kCollapseMcMaxDepth), "layers", "collapse Monte Carlo", "with the work bound"},
    {"kCollapseMcMaxWork", kCollapseMcMaxWork, "samples x depth x width x inputs", "collapse Monte Carlo",
     "about 10 minutes at worst"},
    {"kNormMaxWidth", double(kNormMaxWidth), "neurons", "norm",
     "exact binomial sums, O(n^2) big-number work: width 20000 takes a few seconds"},
    {"kNormMaxDepth", double(kNormMaxDepth), "layers", "norm", "closed form"},
    {"kNormMcMaxWork", kNormMcMaxWork, "samples x depth x width", "norm --mc", "about 10 minutes at worst"},
    {"kMaxAccuracyPoints", double(kMaxAccuracyPoints), "points", "accuracy: widths x angles",
     "one Monte Carlo per point"},
};

}  // namespace relumix
