#pragma once
// Layer-by-layer predictions of the angle decay (SPEC section 4) for any width sequence.
// X = ln sin^2 theta; layer l is the state after l layers (l = 1..L).
#include <string>
#include <vector>

#include "relumix/theta.hpp"

namespace relumix {

enum class PredictMethod { Infinite, Linear, Full, Density };

struct PredictOptions {
  PredictMethod method = PredictMethod::Density;
  bool full_mean = false;      // density: use the full mu(theta, n) instead of the linearized mean
  bool full_variance = false;  // density: use sigma^2(theta, n) instead of 8n/(n+5)^2
  int order = 1;               // 1/n order of mu, sigma^2 for full/density (1 = paper's O(1/n))
  int grid_points = 2001;      // density grid
};

struct LayerPrediction {
  int layer = 0;
  double mean = 0;           // of X = ln sin^2 theta^l
  double sd = -1;            // < 0 when the method has none
  double q05 = 0, q50 = 0, q95 = 0;  // only when sd >= 0
  double theta_mean = 0;     // infinite/linear/full: the angle itself
};

struct Prediction {
  PredictMethod method;
  std::vector<LayerPrediction> layers;
  // density method: grid of X and the density at each layer (density[l-1][i])
  std::vector<double> grid;
  std::vector<std::vector<double>> density;
  // CDF of X at layer l (1-based), by integrating the density (density method only)
  double cdf(int layer, double x) const;
};

PredictMethod parse_predict_method(const std::string& name);  // InputError if unknown
std::string method_name(PredictMethod m);

// widths[k] = width of layer k+1 (each >= 2); theta0 in (0, pi].
Prediction predict(const std::vector<long>& widths, const Theta& theta0, const PredictOptions& opt);

}  // namespace relumix
