#pragma once
// Cho & Saul's arc-cosine kernels (2009) and their multilayer composition, accurate for nearly
// parallel and nearly antipodal inputs (docs/python.md, "The arc-cosine kernel").
//
//   k_n(x, y) = 2 E[relu(w.x)^n relu(w.y)^n],  w ~ N(0, I)  =  |x|^n |y|^n 2 J_{n,n}(theta),
// theta the angle between x and y, relu^0 = 1{. > 0} (Cho & Saul's k_n = (1/pi)|x|^n|y|^n J_n(theta)
// with their J_n(theta) = 2 pi J_{n,n}(theta)). Depth l is the l-fold composition: the layer
// computes the kernel of the previous layer's features, so with q_0(x) = |x|^2 and theta_0 = theta
//   q_{l}(x) = k_l(x, x) = q_{l-1}(x)^n (2n-1)!!,   cos theta_l = J_{n,n}(theta_{l-1}) / J_{n,n}(0),
//   k_l(x, y) = (q_{l-1}(x) q_{l-1}(y))^{n/2} 2 J_{n,n}(theta_{l-1}).
// The recursion is carried in angles: theta_l = f_n(theta_{l-1}) with f_1 the library's stable
// infinite-width map (angle.hpp), and for n != 1 f_n = 2 arcsin sqrt((J(0) - J(theta)) / (2 J(0))) with
// J(0) - J(theta) from the exact Taylor series at 0 for small theta (no cancellation). The angle
// between two data vectors is 2 atan2(|x^ - y^|, |x^ + y^|) (and pi - theta = 2 atan2(|x^ + y^|, |x^ - y^|)),
// the differences formed in double-double arithmetic (|y| x - |x| y), so that both keep full relative
// accuracy; J near pi is evaluated at the exact supplement (moments/eval.hpp, moment_enclosure).
// Kernel values are good to a few ulp relative; for n >= 2 at depth l the norm factor
// (q_{l-1}(x) q_{l-1}(y))^{n/2} (formed from logarithms) carries the rounding of |x| amplified
// n^(l-1) times (the kernel's own condition number in |x|).
#include <cstddef>
#include <vector>

namespace relumix {

// The angle between x and y (length d, finite; both non-zero) and its supplement pi - theta, each
// to a few ulp relative.
struct VectorAngle {
  double theta = 0, supplement = 0;
};
VectorAngle vector_angle(const double* x, const double* y, std::size_t d);

// The angle map of the order-n kernel, cos f_n(theta) = J_{n,n}(theta) / J_{n,n}(0), theta in [0, pi];
// accurate to a few ulp relative also for tiny theta. InputError for n > kMaxArccosOrder.
class ArccosMap {
 public:
  explicit ArccosMap(unsigned n);
  double operator()(double theta) const;
  unsigned order() const { return n_; }

 private:
  unsigned n_;
  double J0_ = 0;                 // J_{n,n}(0)
  std::vector<double> series_;    // series_[k] = -coefficient of theta^k of J_{n,n} (k >= 1)
};

// The Gram matrix out[i * ny + j] = k^(depth)_order(X_i, Y_j) of the rows of X (nx x d, row-major)
// and Y (ny x d); Y == nullptr: Y = X (ny = nx). InputError for non-finite entries, order above
// kMaxArccosOrder, depth outside 1..kMaxArccosDepth. Polls stop_requested() (Interrupted). Runs on
// up to `threads` threads (0: all cores) when the matrix is large; the result does not depend on it.
// angles (when not null, laid out as out): theta^(depth), the angle between the two inputs' features
// after `depth` layers (f_n applied depth times), to a few ulp relative (0 for a zero row).
void arccos_kernel(const double* X, std::size_t nx, const double* Y, std::size_t ny, std::size_t d, unsigned order,
                   unsigned depth, double* out, double* angles = nullptr, unsigned threads = 0);

}  // namespace relumix
