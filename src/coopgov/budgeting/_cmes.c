/* A lean Method of Equal Shares run in floating point: plain MES in fast mode, and the add1
 * completion's scan over rising budgets.
 *
 * The add1 completion (see mes.py) reruns MES with the voters' virtual budget raised one unit at a
 * time; on a city file that is hundreds to tens of thousands of runs, of which only the projects
 * selected matter until the loop stops.  This kernel does such runs in C: the same rule as
 * _mes_engine.run_mes (Peters, Pierczynski & Skowron 2021, Def. 4.1; pabutools mes_inner_algo),
 * without the bookkeeping the explanations need.
 *
 * It never guesses a close call.  Two prices within a relative margin `tol` of each other are
 * compared exactly when both are cost / (an integer sum of w u), as they are whenever every
 * supporter either pays rho u or has exactly nothing left; ties then go to the project earlier in
 * the tie-breaking order, as in the engine.  Any other close call (prices within the margin that
 * are not of that form, or supporters with within `tol` of a project's cost) stops the run with
 * status 1: the caller then runs the exact-checked Python engine for that budget.  Float errors
 * here are of order 1e-13 relative, far inside the margin (1e-9), so every decision it does take
 * is the one exact arithmetic takes.
 *
 * scan(indptr, sup, util, weight, cost, rank, start, step, count, previous,
 *      has_previous, tol, integral[, gallop[, stop_budget]]) -> (i, status, selected, ties, runs)
 *   indptr int64[m+1], sup int64[E], util float64[E]: supporters (group index) and utilities of
 *       the m candidate projects (positive cost, some positive utility), CSR;
 *   weight float64[G]: voters per group (G groups); cost float64[m]; rank int64[m] (tie-breaking
 *   order);
 *   runs MES with every voter's budget start + i * step for i = 0, 1, ..., count - 1 and returns
 *   at the first i whose run meets a close call (status 1, selected: what was decided so far) or
 *   selects other projects than previous int64[*] (status 0, selected: the candidate indices in
 *   the order they were funded); with has_previous false that is i = 0.  If all count runs
 *   select previous, returns (count, 0, None, 0, runs).  ties: how many exact ties the run returned
 *   settled by the tie-breaking order; runs: how many MES runs were computed.
 *   gallop: jump over budgets that certify_round shows repeat the outcome (the changes returned
 *   are those single runs find, and far fewer runs are computed; see scan_runs).  Certificates
 *   hold for exact arithmetic, so a jump may pass a budget where a single run would have met a
 *   close call without changing the outcome.
 *   stop_budget (with gallop; ignored if negative): the add1 loop's real budget.  A run that
 *   selects other projects than previous is then returned only if its projects might stop the add1
 *   loop: they cost more than stop_budget, or no other candidate fits in what is left of it (exact
 *   when costs and budget are integers, else judged with a margin: a judgement within it is
 *   returned too, for the caller to make exactly).
 *   Otherwise its projects become previous and the scan goes on: the add1 loop looks at the
 *   outcome only where it changes, and an outcome that does not stop it at one budget does not
 *   stop it at another.
 *   integral: costs, utilities and weights are integers below 2**53, so that exact ties between
 *   prices cost / (sum of w u) can be settled exactly (with cost utilities every project all of
 *   whose supporters pay in full costs 1 / supporters).
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* What a run decided, as the lower end of a later jump needs it (see certify_round). */
typedef struct {
    int64_t *sel;          /* the projects funded, in order */
    double *rho;           /* the price each was funded at */
    Py_ssize_t n;
    char *poor;            /* per edge of each funded project: 0 paid rho u, 1 paid all it had, 2 too close to tell */
    int64_t *rv_q;         /* rivals priced (up to date) in round k: entries rv_start[k] .. rv_start[k + 1] */
    double *rv_rho;        /* ... at these prices */
    Py_ssize_t *rv_start, rv_n, rv_cap;
    double b;              /* the budget per voter it was run at */
} Trace;

typedef struct {
    const int64_t *indptr, *sup, *rank;
    const double *util, *weight, *cost;
    Py_ssize_t m, groups;
    double tol;
    int integral;     /* costs, utilities and weights are integers: exact ties can be settled */
    double cost_sum;  /* of every candidate */
    double *b;        /* budget left per voter, per group */
    char *unsure;     /* the group's budget might not be exactly what b says (a near-exact payment) */
    char *clean;      /* the price is exactly cost / rwu (every poor supporter has exactly 0 left) */
#ifdef __SIZEOF_INT128__
    __int128 *rwu;    /* sum of w * u over the supporters paying rho * u, exactly */
#endif
    double *rho;      /* current price of each project (a lower bound while dirty) */
    char *alive;      /* not yet funded, still affordable */
    char *dirty;      /* rho may be stale (some supporters paid since it was computed) */
    double *wu;       /* sum of w * u over all supporters, per project (constant) */
    double *ew, *ewu; /* per supporter (edge): the group's weight w, and w * u */
    double *wsum;     /* voters supporting the project, per project (constant) */
    double *umax;     /* largest utility of a supporter, per project (constant) */
    double *umin;     /* smallest utility of a supporter, per project (constant) */
    double *ucon;     /* the utility every supporter of the project has, or 0 if they differ */
    int32_t *sup32;   /* sup in 32 bits, for the pricing passes */
    Py_ssize_t ties;  /* exact ties settled by the tie-breaking order in this run */
    uint64_t epoch;   /* counts rounds (of every run): budgets change between two */
    uint64_t *checked; /* per project: the round in which its money was last found enough */
    Trace *cur;       /* what this run decides */
    /* The add1 scan's runs predict where the order of the rounds changes as the budget rises, and
     * certify jumps against a run at a lower budget (lo, when not NULL).  They follow how fast
     * each budget left grows with the initial budget b. */
    int predict;
    const Trace *lo;
    double *sp;          /* per group: d(budget left)/db at this run's budget */
    double *slo, *shi;   /* per group: bounds on d(budget left)/db over [lo->b, this run's b] */
    double f_w, m_w, M_w; /* -d(rho)/db of the project being funded: here, and bounds over the jump */
    double pred;         /* predicted distance (in b) up from this run's budget to the next change */
    double back;         /* in a failed certifying run: estimated distance down to the change */
    double horizon;      /* how far up (in b) the prediction looks for changes */
    int64_t *aff;        /* the projects that ran out of money in this round */
    Py_ssize_t naff;
    double *dead_d;      /* per project out of money: at least about how far up it had enough, where
                          * it ran out (its shortfall over its voters times the fastest slope) */
    double sp_max;       /* the largest sp */
    double *lo_price;    /* scratch, per project: its price at lo in the round certified, or -1 */
} Run;

enum { OK = 0, CLOSE = 1, UNAFFORDABLE = 2, NOT_CERTIFIED = 3 };
enum { UNSETTLED = 2 }; /* clean[p]: 0 no, 1 yes, UNSETTLED not yet looked at since p was priced */

/* Rivals priced within this fraction of the winner's price (at least, at most PREDICT_BAND_MAX)
 * are brought up to date in the add1 scan's runs, to predict where the order changes; the band
 * widens with how fast prices fall and how far ahead the scan looks. */
#define PREDICT_BAND 0.03
#define PREDICT_BAND_MAX 0.05

/* A project out of money is predicted to change the order where it has enough only if it would
 * then cost at most this many times the winner's price (it is still falling then). */
#define AFFORD_BAND 1.5

/* Record whether the price of p is exactly cost / (sum of w u over the supporters paying rho u):
 * true when every supporter is clearly on one side of min(b, rho u) and those paying all they have
 * have exactly nothing left.  Then two such prices can be compared exactly (settle_tie). */
static void settle(Run *r, Py_ssize_t p, double rho) {
    r->clean[p] = 0;
    if (!r->integral) return;
#ifdef __SIZEOF_INT128__
    __int128 rwu = 0;
    for (int64_t e = r->indptr[p]; e < r->indptr[p + 1]; e++) {
        const int64_t g = r->sup[e];
        const double bg = r->b[g], due = rho * r->util[e];
        if (r->unsure[g]) return;
        if (bg == 0.0) continue;
        if (bg < due * (1.0 + r->tol)) return; /* pays all it has (not 0), or too close to tell */
        rwu += (__int128)(int64_t)r->weight[g] * (__int128)(int64_t)r->util[e];
    }
    if (rwu <= 0) return;
    r->rwu[p] = rwu;
    r->clean[p] = 1;
#else
    (void)p;
    (void)rho;
#endif
}

/* The sums over supporters lo..hi of a project every one of whose supporters has the same
 * utility, at the cut rho * u: the money of all (if money is not NULL), the money of those with
 * less than the cut, and the weight of the others.  Four running sums each, so that the additions
 * do not wait on one another. */
static void sums_const(const Run *r, int64_t lo, int64_t hi, double cut, double *money, double *poor_money,
                       double *rich_w) {
    const double *b = r->b, *gw = r->weight;
    const int32_t *sup = r->sup32;
    double m0 = 0, m1 = 0, m2 = 0, m3 = 0, p0 = 0, p1 = 0, p2 = 0, p3 = 0, w0 = 0, w1 = 0, w2 = 0, w3 = 0;
    int64_t e = lo;
#define STEP(M, P, W, k)                                \
    do {                                                \
        const int32_t g = sup[e + k];                   \
        const double w = gw[g], bg = b[g], wb = w * bg; \
        const int poor = bg < cut;                      \
        M += wb;                                        \
        P += poor ? wb : 0.0;                           \
        W += poor ? 0.0 : w;                            \
    } while (0)
    for (; e + 4 <= hi; e += 4) {
        STEP(m0, p0, w0, 0);
        STEP(m1, p1, w1, 1);
        STEP(m2, p2, w2, 2);
        STEP(m3, p3, w3, 3);
    }
    for (; e < hi; e++) STEP(m0, p0, w0, 0);
#undef STEP
    if (money) *money = (m0 + m1) + (m2 + m3);
    *poor_money = (p0 + p1) + (p2 + p3);
    *rich_w = (w0 + w1) + (w2 + w3);
}

/* The same sums for any utilities: money, the money of the supporters with b < rho u, and the sum
 * of w u over the others. */
static void sums_any(const Run *r, int64_t lo, int64_t hi, double rho, double *money, double *poor_money,
                     double *rich_wu) {
    double mo = 0.0, pm = 0.0, rw = 0.0;
    for (int64_t e = lo; e < hi; e++) {
        const double w = r->ew[e], bg = r->b[r->sup32[e]], wb = w * bg;
        const int poor = bg < rho * r->util[e];
        mo += wb;
        pm += poor ? wb : 0.0;
        rw += poor ? 0.0 : r->ewu[e];
    }
    if (money) *money = mo;
    *poor_money = pm;
    *rich_wu = rw;
}

/* One step towards the price of project p at the current budgets: the smallest rho with
 * sum_i w_i min(b_i, rho u_i) = cost.  Returns UNAFFORDABLE, CLOSE, OK (the price is *out) or
 * NOT_YET (*out is a better lower bound; another step is needed).
 *
 * The iteration rho <- (cost - money of the supporters with b < rho u) / (sum of w u of the
 * others) is Newton's method on the concave sum from the left: started at any rho not above the
 * answer it climbs to it without overshooting.  It starts at the last price computed for p (a
 * lower bound: budgets only fall during a run); p's first step in a round also totals the
 * supporters' money (which decides affordability).  Taking one step at a time lets the selection stop climbing as soon as p is clearly not the
 * cheapest. */
enum { NOT_YET = 4 };
static int price_step(Run *r, Py_ssize_t p, double rho, double *out, double *money_out) {
    const int64_t lo = r->indptr[p], hi = r->indptr[p + 1];
    const double cost = r->cost[p], uc = r->ucon[p];
    double money = 0.0, poor_money, rich_wu, rich_w;
    /* the supporters' money does not change within a round: total it on p's first step in it */
    const int check = r->checked[p] != r->epoch;
    if (uc > 0.0) {
        if (check)
            sums_const(r, lo, hi, rho * uc, &money, &poor_money, &rich_w);
        else
            sums_const(r, lo, hi, rho * uc, NULL, &poor_money, &rich_w);
        rich_wu = rich_w * uc;
    } else {
        sums_any(r, lo, hi, rho, check ? &money : NULL, &poor_money, &rich_wu);
    }
    if (check) {
        *money_out = money;
        if (money < cost * (1.0 - r->tol)) return UNAFFORDABLE;
        if (money <= cost * (1.0 + r->tol)) return CLOSE;
        r->checked[p] = r->epoch;
    }
    if (rich_wu <= 0.0) return CLOSE;
    const double next = (cost - poor_money) / rich_wu;
    if (next <= rho * (1.0 + 1e-15)) {
        *out = next > rho ? next : rho;
        return OK;
    }
    *out = next;
    return NOT_YET;
}

/* The money p's supporters have between them, how fast it grows with b (by the slopes here), and
 * the largest b / u among them (the price p would have if it had just enough money). */
static double money_rate(const Run *r, Py_ssize_t p, double *money, double *top) {
    double mo = 0.0, rate = 0.0, hi = 0.0;
    for (int64_t e = r->indptr[p]; e < r->indptr[p + 1]; e++) {
        const int64_t g = r->sup[e];
        mo += r->ew[e] * r->b[g];
        rate += r->ew[e] * r->sp[g];
        if (r->b[g] > hi * r->util[e]) hi = r->b[g] / r->util[e];
    }
    *money = mo;
    *top = hi;
    return rate;
}

/* One step towards p's price (price_step): a better lower bound, or p's price, or p leaves the
 * running as unaffordable (and, in a run that predicts, is noted for predict_afford).  Returns
 * price_step()'s status. */
static int step(Run *r, Py_ssize_t p) {
    double rho, money;
    const int st = price_step(r, p, r->rho[p], &rho, &money);
    if (st == CLOSE) return CLOSE;
    if (st == NOT_YET) {
        r->rho[p] = rho;
        return NOT_YET;
    }
    r->dirty[p] = 0;
    if (st == OK) {
        r->clean[p] = UNSETTLED;
        r->rho[p] = rho;
    } else {
        r->alive[p] = 0;
        if (r->predict) {
            r->dead_d[p] = (r->cost[p] - money) / (r->wsum[p] * r->sp_max);
            r->aff[r->naff++] = p;
        }
    }
    return st;
}

/* In a run that predicts: how far up the budget p (out of money) has enough in this round, by the
 * slopes here; that is a change if it would then be about as cheap as rw (when rw > 0). */
static void predict_afford(Run *r, Py_ssize_t p, double rw) {
    if (rw > 0.0 && r->cost[p] / r->wu[p] > rw * AFFORD_BAND) return; /* dearer than that at any budget */
    if (r->dead_d[p] >= r->pred) return;
    double money, top;
    const double rate = money_rate(r, p, &money, &top);
    if (rate <= 0.0 || (rw > 0.0 && top > rw * AFFORD_BAND)) return;
    const double d = (r->cost[p] - money) / rate;
    if (d < r->pred) r->pred = d;
}

/* Bring p's price up to date.  Returns OK, UNAFFORDABLE or CLOSE. */
static int refresh(Run *r, Py_ssize_t p) {
    for (int iter = 0; iter < 1000; iter++) {
        const int st = step(r, p);
        if (st != NOT_YET) return st;
    }
    return CLOSE;
}

/* Is q a rival of w priced at most `bound`, once brought up to date if it was not?  1 yes, 0 no,
 * -1 a close call. */
static int rival_within(Run *r, Py_ssize_t q, Py_ssize_t w, double bound) {
    if (q == w || !r->alive[q] || r->rho[q] > bound) return 0;
    if (r->dirty[q]) {
        const int st = refresh(r, q);
        if (st == CLOSE) return -1;
        if (st == UNAFFORDABLE || r->rho[q] > bound) return 0;
    }
    return 1;
}

static int better(const Run *r, Py_ssize_t p, Py_ssize_t q) {
    /* does p come before q: lower price, then earlier in the tie-breaking order */
    if (r->rho[p] != r->rho[q]) return r->rho[p] < r->rho[q];
    return r->rank[p] < r->rank[q];
}

enum { CLOSE_CMP = 2 };

/* Exact comparison of two clean prices: -1 if p comes first (lower price, or equal and earlier
 * in the tie-breaking order), 1 if q does, CLOSE_CMP if either price is not clean.  Cleanness is
 * looked at here, when needed (the budgets have not changed since the two prices were computed). */
static int settle_tie(Run *r, Py_ssize_t p, Py_ssize_t q) {
#ifdef __SIZEOF_INT128__
    if (r->clean[p] == UNSETTLED) settle(r, p, r->rho[p]);
    if (r->clean[q] == UNSETTLED) settle(r, q, r->rho[q]);
    if (!r->clean[p] || !r->clean[q]) return CLOSE_CMP;
    /* cost_p / rwu_p  vs  cost_q / rwu_q */
    const __int128 lhs = (__int128)(int64_t)r->cost[p] * r->rwu[q];
    const __int128 rhs = (__int128)(int64_t)r->cost[q] * r->rwu[p];
    if (lhs != rhs) return lhs < rhs ? -1 : 1;
    r->ties++;
    return r->rank[p] < r->rank[q] ? -1 : 1;
#else
    (void)r;
    (void)p;
    (void)q;
    return CLOSE_CMP;
#endif
}

/* How fast the price of p falls as the initial budget b rises.  Where the partition of p's
 * supporters into those paying all they have (poor: b < rho u) and those paying rho u (rich) is
 * locally constant, rho = (cost - sum_poor w r) / (sum_rich w u), so
 *   -rho' = (sum over poor of w r') / (sum over rich of w u),
 * with r' the supporters' slopes.  One pass gives it by the slopes at this budget (f, from sp)
 * and the lower bound min_fall (m, from slo: see certify_round); and, with p's price rho_lo at the lower
 * end of the jump known (else pass 0), the upper bound max_fall (M): a supporter poor at lo has
 * r(lo) < rho_lo u and r(lo) >= r(hi) - span shi, so those with r(hi) - span shi < rho_lo u
 * include every poor one at lo, and so at every b in between; the others are rich throughout.
 * Returns -1 if no supporter pays rho u (nothing is set), 0 if a supporter is too close to the
 * boundary to tell (f is set, m and M are not to be trusted), 1 otherwise. */
static int falls(const Run *r, Py_ssize_t p, double rho, double rho_lo, double span, double *f, double *m,
                 double *M) {
    double n_sp = 0.0, n_slo = 0.0, d = 0.0, n_hi = 0.0, d_hi = 0.0;
    const double grow = 1.0 + 1e-9, cut = rho_lo * grow, tol = r->tol;
    const double *b = r->b, *sp = r->sp, *slo = r->slo, *shi = r->shi, *util = r->util, *ew = r->ew, *ewu = r->ewu;
    const int32_t *sup = r->sup32;
    const int64_t lo = r->indptr[p], hi = r->indptr[p + 1];
    int strict = 1;
    for (int64_t e = lo; e < hi; e++) {
        const int32_t g = sup[e];
        const double bg = b[g], u = util[e], due = rho * u;
        if (bg != 0.0 && fabs(bg - due) <= tol * bg) strict = 0;
        if (bg < due) {
            n_sp += ew[e] * sp[g];
            n_slo += ew[e] * slo[g];
        } else {
            d += ewu[e];
        }
    }
    if (d <= 0.0) return -1;
    if (rho_lo > 0.0)
        for (int64_t e = lo; e < hi; e++) {
            const int32_t g = sup[e];
            if (b[g] - span * shi[g] * grow < cut * util[e])
                n_hi += ew[e] * shi[g];
            else
                d_hi += ewu[e];
        }
    *f = n_sp / d;
    *m = n_slo / d * (1.0 - 1e-9);
    *M = rho_lo > 0.0 && d_hi > 0.0 ? n_hi / d_hi * grow : INFINITY;
    return strict;
}

/* falls() for the prediction only: -rho' of p by the slopes here, or -1 if no supporter pays
 * rho u. */
static double fall_here(const Run *r, Py_ssize_t p, double rho) {
    double n = 0.0, d = 0.0;
    const double *b = r->b, *sp = r->sp, *util = r->util, *ew = r->ew, *ewu = r->ewu;
    const int32_t *sup = r->sup32;
    for (int64_t e = r->indptr[p]; e < r->indptr[p + 1]; e++) {
        const int32_t g = sup[e];
        const int poor = b[g] < rho * util[e];
        n += poor ? ew[e] * sp[g] : 0.0;
        d += poor ? 0.0 : ewu[e];
    }
    return d > 0.0 ? n / d : -1.0;
}

/* The order of this round changes, by the slopes at this budget, when a rival at price rq
 * falling at f_q comes down to the winner's price rw: predict how far up that is. */
static void predict_cross(Run *r, double rq, double f_q, double rw) {
    if (f_q > r->f_w && (rq - rw) / (f_q - r->f_w) < r->pred) r->pred = (rq - rw) / (f_q - r->f_w);
}

/* How far above the winner's price rw a rival may be and still come down to it within the
 * horizon, roughly: its price falls, relative to itself, at most a few times as fast as the
 * winner's. */
static double predict_band(const Run *r, double rw) {
    const double band = 4.0 * r->f_w / rw * r->horizon;
    return band < PREDICT_BAND ? PREDICT_BAND : band > PREDICT_BAND_MAX ? PREDICT_BAND_MAX : band;
}

/* A run that predicts (but does not certify): the winner's fall at this budget, and the rivals
 * within the band of its price, brought up to date, for the prediction. */
static int predict_round(Run *r, Py_ssize_t w) {
    const double rw = r->rho[w];
    r->f_w = fmax(fall_here(r, w, rw), 0.0);
    r->m_w = r->M_w = r->f_w;
    const double pbound = rw * (1.0 + predict_band(r, rw));
    for (Py_ssize_t q = 0; q < r->m; q++) {
        const int in = rival_within(r, q, w, pbound);
        if (in < 0) return CLOSE;
        if (in == 0) continue;
        const double f_q = fall_here(r, q, r->rho[q]);
        if (f_q >= 0.0) predict_cross(r, r->rho[q], f_q, rw);
    }
    return OK;
}

/* Certifying rivals, for certify_round: the winner w at price rw_hi here and rw_lo at lo. */
static int certify_rivals(Run *r, Py_ssize_t w, double rw_hi, double rw_lo, double span) {
    const char *lo_poor = r->lo->poor;
    /* the winner: how fast its price falls, both ways, and by the slopes here */
    double n_slo = 0.0, n_sp = 0.0, d = 0.0, nmax = 0.0, dmin = 0.0;
    for (int64_t e = r->indptr[w]; e < r->indptr[w + 1]; e++) {
        const int64_t g = r->sup[e];
        const double bg = r->b[g], due = rw_hi * r->util[e];
        if (bg != 0.0 && fabs(bg - due) <= r->tol * bg) return NOT_CERTIFIED;
        if (bg < due) {
            if (lo_poor[e] == 0) return NOT_CERTIFIED; /* rich at lo and poor here: cannot be */
            n_slo += r->ew[e] * r->slo[g];
            n_sp += r->ew[e] * r->sp[g];
        } else {
            d += r->ewu[e];
        }
        if (lo_poor[e] == 0)
            dmin += r->ewu[e];
        else
            nmax += r->ew[e] * r->shi[g];
    }
    if (d <= 0.0) return NOT_CERTIFIED;
    const double m_w = n_slo / d * (1.0 - 1e-9);
    r->m_w = m_w;
    r->M_w = dmin > 0.0 ? nmax / dmin * (1.0 + 1e-9) : INFINITY;
    r->f_w = n_sp / d;
    const double tol1 = 1.0 + r->tol, bound = rw_lo * tol1;
    const double pbound = fmax(bound, rw_hi * (1.0 + predict_band(r, rw_hi)));
    for (Py_ssize_t q = 0; q < r->m; q++) {
        const int in = rival_within(r, q, w, pbound);
        if (in < 0) return NOT_CERTIFIED;
        if (in == 0) continue;
        const double rq = r->rho[q];
        double f_q, m_q, M_q;
        if (rq > bound) { /* clearly dearer than w at every budget in between: for the prediction only */
            f_q = fall_here(r, q, rq);
            if (f_q >= 0.0) predict_cross(r, rq, f_q, rw_hi);
            continue;
        }
        if (rq <= rw_hi * tol1) return NOT_CERTIFIED;
        const double rq_lo = r->lo_price[q];
        if (rq_lo > 0.0 && rq_lo <= rw_lo * tol1) return NOT_CERTIFIED;
        const int strict = falls(r, q, rq, rq_lo, span, &f_q, &m_q, &M_q);
        if (strict >= 0) predict_cross(r, rq, f_q, rw_hi);
        if (strict <= 0) return NOT_CERTIFIED;
        /* t = b - lo in [0, span]: F(t) = max(A, C) - (1 + tol) min(B1, B2) must stay positive;
         * it is convex and piecewise linear, so its least value is at an end or a breakpoint.
         *   A(t) = rq + (span - t) m_q, C(t) = rq_lo - t M_q              (rho_q >= both)
         *   B1(t) = rw_lo - t m_w, B2(t) = rw_hi + (span - t) M_w         (rho_w <= both) */
        const double A0 = rq + span * m_q, As = -m_q;
        const int has_c = rq_lo > 0.0 && isfinite(M_q);
        const double C0 = has_c ? rq_lo : 0.0, Cs = has_c ? -M_q : 0.0;
        const double B10 = rw_lo * tol1, B1s = -m_w * tol1;
        const int has_b2 = isfinite(r->M_w);
        const double B20 = has_b2 ? (rw_hi + span * r->M_w) * tol1 : 0.0, B2s = has_b2 ? -r->M_w * tol1 : 0.0;
        double ts[4] = {0.0, span, -1.0, -1.0};
        if (has_c && As != Cs) ts[2] = (C0 - A0) / (As - Cs);
        if (has_b2 && B1s != B2s) ts[3] = (B20 - B10) / (B1s - B2s);
        for (int z = 0; z < 4; z++) {
            const double t = ts[z];
            if (!(t >= 0.0 && t <= span)) continue;
            const double a = has_c ? fmax(A0 + As * t, C0 + Cs * t) : A0 + As * t;
            const double c = has_b2 ? fmin(B10 + B1s * t, B20 + B2s * t) : B10 + B1s * t;
            if (!(a > c)) return NOT_CERTIFIED;
        }
    }
    return OK;
}

/* Certifying (the add1 scan's jumps).  The run lo at a lower budget lo->b funded lo->sel[k] at
 * price lo->rho[k] in round k; this run is at a budget hi > lo->b.  If in every round both runs
 * fund the same project w and every other project q still in the running here is either
 * unaffordable here or dearer than w at every budget in between, every budget in between funds
 * the same projects in the same order.
 *
 * By induction on the rounds: with the same projects funded before, every supporter's budget left
 * r(b) is non-decreasing in b (a payer keeps max(0, r - rho u), and rho falls as budgets rise),
 * prices are non-increasing, and r(b) - rho(b) u is increasing.  So a project unaffordable here is
 * unaffordable below, a supporter paying all it has here (poor(hi)) does so at every b in between,
 * and one paying rho u at lo (rich(lo)) does so at every b in between.  Over the jump each r' lies
 * in [slo, shi] (both 1 before the first round), and by falls():
 *   -rho_p' >= (sum over poor(hi) of w slo) / (sum over rich(hi) of w u)  = min_fall(p)
 *   -rho_w' <= (sum over poor(lo) of w shi) / (sum over rich(lo) of w u)  = max_fall(w)
 * (lo's partition of w's supporters is in lo->poor).  So for b in [lo, hi]
 *   rho_q(b) >= max(rho_q(hi) + (hi - b) min_fall(q), rho_q(lo) - (b - lo) max_fall(q))
 *   rho_w(b) <= min(rho_w(lo) - (b - lo) min_fall(w), rho_w(hi) + (hi - b) max_fall(w)),
 * the second line of each only where known (rho_q(lo): q priced by lo in that round).  After the
 * round a rich supporter's slope bounds grow by u min_fall(w) and u max_fall(w) (the lower one
 * drops to 0 if it was poor at lo: it paid all it had for part of the jump); a poor one's are 0.
 *
 * Prices not yet brought up to date are lower bounds, which keeps the test sound; rivals close to
 * the bound are brought up to date, and any close call fails the test (the scan then tries a
 * shorter jump).  When the round funds another project than lo's, the order changed in between:
 * `back` gets an estimate, from the slopes here, of how far below this budget it did. */
static int certify_round(Run *r, Py_ssize_t w) {
    const Trace *lo = r->lo;
    const Py_ssize_t k = r->cur->n;
    if (k >= lo->n) return NOT_CERTIFIED;
    const double rw_hi = r->rho[w];
    if (lo->sel[k] != w) {
        const Py_ssize_t v = lo->sel[k]; /* lo's winner: cheaper than w at lo, dearer here */
        double f_w, f_v;
        if (r->alive[v] && (!r->dirty[v] || refresh(r, v) == OK) && r->alive[v] &&
            (f_w = fall_here(r, w, rw_hi)) >= 0.0 && (f_v = fall_here(r, v, r->rho[v])) >= 0.0 && f_w > f_v)
            r->back = (r->rho[v] - rw_hi) / (f_w - f_v);
        int seen = 0; /* did lo price w in this round? */
        for (Py_ssize_t z = lo->rv_start[k]; z < lo->rv_start[k + 1]; z++) seen |= lo->rv_q[z] == w;
        if (!seen) { /* w may have been out of money at lo: it had enough from about here down */
            double money, top;
            const double rate = money_rate(r, w, &money, &top);
            if (rate > 0.0 && (money - r->cost[w]) / rate < r->back) r->back = (money - r->cost[w]) / rate;
        }
        return NOT_CERTIFIED;
    }
    const double span = r->cur->b - lo->b;
    for (Py_ssize_t z = lo->rv_start[k]; z < lo->rv_start[k + 1]; z++) r->lo_price[lo->rv_q[z]] = lo->rv_rho[z];
    const int st = certify_rivals(r, w, rw_hi, lo->rho[k], span);
    for (Py_ssize_t z = lo->rv_start[k]; z < lo->rv_start[k + 1]; z++) r->lo_price[lo->rv_q[z]] = -1.0;
    return st;
}

static int run_rounds(Run *r) {
    const Py_ssize_t m = r->m;
    Trace *cur = r->cur;
    for (;;) {
        /* the cheapest project whose price is up to date */
        Py_ssize_t best = -1;
        for (;;) {
            best = -1;
            for (Py_ssize_t p = 0; p < m; p++)
                if (r->alive[p] && (best < 0 || better(r, p, best))) best = p;
            if (best < 0) {
                /* the end: a project that gets enough money in this round is funded in it.  One
                 * that ran out earlier has less now: those that were near enough then are looked
                 * at again. */
                if (r->predict)
                    for (Py_ssize_t p = 0; p < m; p++)
                        if (r->dead_d[p] < r->pred) predict_afford(r, p, 0.0);
                r->naff = 0;
                return r->lo != NULL && cur->n != r->lo->n ? NOT_CERTIFIED : OK;
            }
            if (!r->dirty[best]) break;
            if (step(r, best) == CLOSE) return CLOSE;
        }
        /* every rival within the margin must be up to date, and either clearly behind or
         * compared exactly (both prices clean); the exact winner of the near-tie is funded */
        const double limit = r->rho[best] * (1.0 + r->tol);
        Py_ssize_t winner = best;
        for (Py_ssize_t q = 0; q < m; q++) {
            const int in = rival_within(r, q, best, limit);
            if (in < 0) return CLOSE;
            if (in == 0) continue;
            const int cmp = settle_tie(r, winner, q);
            if (cmp == CLOSE_CMP) return CLOSE;
            if (cmp > 0) winner = q;
        }
        best = winner;
        const double rho = r->rho[best];
        if (r->predict) {
            if (r->lo != NULL) {
                if (certify_round(r, best) != OK) return NOT_CERTIFIED;
            } else if (predict_round(r, best) != OK) {
                return CLOSE;
            }
            /* projects out of money in this round that would be about as cheap as the winner
             * with enough: the order may change where they have it */
            for (Py_ssize_t z = 0; z < r->naff; z++) predict_afford(r, r->aff[z], rho);
            r->naff = 0;
            if (cur->n == 0) /* those out of money from the start, with per_voter each, then */
                for (Py_ssize_t p = 0; p < m; p++)
                    if (isfinite(r->dead_d[p]) && r->cost[p] / r->wu[p] <= rho * AFFORD_BAND &&
                        cur->b / r->umin[p] <= rho * AFFORD_BAND && r->dead_d[p] < r->pred)
                        r->pred = r->dead_d[p];
            /* the rivals priced in this round, for a later run to certify against */
            for (Py_ssize_t q = 0; q < m; q++)
                if (q != best && r->alive[q] && !r->dirty[q] && cur->rv_n < cur->rv_cap) {
                    cur->rv_q[cur->rv_n] = q;
                    cur->rv_rho[cur->rv_n++] = r->rho[q];
                }
            cur->rv_start[cur->n + 1] = cur->rv_n;
        }
        /* fund it: every supporter pays min(budget, rho * u) (locals: the stores through the
         * arrays could otherwise alias the run's own fields, which would then be reloaded) */
        {
            double *bud = r->b, *sp = r->sp, *slo = r->slo, *shi = r->shi;
            char *poor = cur->poor, *unsure = r->unsure;
            const int64_t *sup = r->sup;
            const double *util = r->util;
            const char *lo_poor = r->lo != NULL ? r->lo->poor : NULL;
            const double tol = r->tol, f_w = r->f_w, m_w = r->m_w, M_w = r->M_w;
            const int predict = r->predict;
            double sp_max = r->sp_max;
            for (int64_t e = r->indptr[best]; e < r->indptr[best + 1]; e++) {
                const int64_t g = sup[e];
                const double bg = bud[g];
                if (bg <= 0.0) {
                    poor[e] = 1;
                    continue;
                }
                const double u = util[e], left = bg - rho * u;
                /* a payment within the margin of all it has: exact arithmetic may leave a crumb */
                const int close = fabs(left) <= tol * bg;
                if (close) unsure[g] = 1;
                const double now = left <= 1e-12 * bg ? 0.0 : left;
                bud[g] = now;
                poor[e] = close ? 2 : now == 0.0;
                if (!predict) continue;
                if (now == 0.0) {
                    sp[g] = slo[g] = shi[g] = 0.0;
                } else {
                    sp[g] += f_w * u;
                    if (sp[g] > sp_max) sp_max = sp[g];
                    shi[g] += M_w * u;
                    slo[g] = lo_poor == NULL || lo_poor[e] == 0 ? slo[g] + m_w * u : 0.0;
                }
            }
            r->sp_max = sp_max;
        }
        /* most projects share a supporter with any winner: treat every price as possibly stale */
        memset(r->dirty, 1, (size_t)r->m);
        r->epoch++;
        r->alive[best] = 0;
        cur->rho[cur->n] = rho;
        cur->sel[cur->n++] = best;
    }
}

static int get_buffer(PyObject *obj, Py_buffer *view, const char *what, Py_ssize_t itemsize) {
    if (PyObject_GetBuffer(obj, view, PyBUF_C_CONTIGUOUS | PyBUF_FORMAT) < 0) return -1;
    if (view->itemsize != itemsize) {
        PyErr_Format(PyExc_TypeError, "%s: expected items of %zd bytes", what, itemsize);
        PyBuffer_Release(view);
        return -1;
    }
    return 0;
}

/* Is (ptr[0..n], idx[0..len)) a well-formed CSR with every index below `bound`?  Sets a
 * ValueError naming the array otherwise. */
static int csr_ok(const int64_t *ptr, Py_ssize_t n, const int64_t *idx, int64_t len, int64_t bound,
                  const char *ptr_name, const char *idx_name) {
    for (Py_ssize_t i = 0; i < n; i++)
        if (ptr[i] < 0 || ptr[i] > ptr[i + 1] || ptr[i + 1] > len) {
            PyErr_Format(PyExc_ValueError, "%s out of range", ptr_name);
            return 0;
        }
    for (int64_t k = 0; k < len; k++)
        if (idx[k] < 0 || idx[k] >= bound) {
            PyErr_Format(PyExc_ValueError, "%s out of range", idx_name);
            return 0;
        }
    return 1;
}

/* Every voter has per_voter: the first prices need no pass over the supporters.  A project's
 * supporters have per_voter * wsum between them; if that clearly covers the cost and every
 * supporter can pay rho u at rho = cost / wu, that is the price; otherwise price_step() works it
 * out when it is needed.  In a run that predicts, a project out of money from the start is noted with
 * how far up the budget it would have enough. */
static void reset(Run *r, double per_voter) {
    for (Py_ssize_t g = 0; g < r->groups; g++) r->b[g] = per_voter;
    if (r->predict)
        for (Py_ssize_t g = 0; g < r->groups; g++) r->sp[g] = r->slo[g] = r->shi[g] = 1.0;
    memset(r->unsure, 0, (size_t)r->groups);
    r->naff = 0;
    r->sp_max = 1.0;
    for (Py_ssize_t p = 0; p < r->m; p++) {
        const double rho0 = r->wu[p] > 0.0 ? r->cost[p] / r->wu[p] : INFINITY;
        const double money = per_voter * r->wsum[p];
        r->rho[p] = rho0;
        r->alive[p] = r->wu[p] > 0.0 && money >= r->cost[p] * (1.0 - r->tol);
        r->dirty[p] = 1;
        r->clean[p] = 0;
        if (r->alive[p] && money > r->cost[p] * (1.0 + r->tol) && per_voter >= rho0 * r->umax[p] * (1.0 + r->tol)) {
            r->dirty[p] = 0;
            r->clean[p] = UNSETTLED;
        }
        /* out of money from the start: every supporter has per_voter and slope 1 */
        r->dead_d[p] = r->predict && !r->alive[p] && r->wsum[p] > 0.0 ? r->cost[p] / r->wsum[p] - per_voter : INFINITY;
    }
    r->cur->n = 0;
    r->cur->rv_n = 0;
    r->cur->rv_start[0] = 0;
    r->cur->b = per_voter;
    r->ties = 0;
    r->epoch++;
    r->pred = r->back = INFINITY;
}

static PyObject *selection_list(const Run *r) {
    PyObject *list = PyList_New(r->cur->n);
    if (list == NULL) return NULL;
    for (Py_ssize_t i = 0; i < r->cur->n; i++) {
        PyObject *item = PyLong_FromLongLong((long long)r->cur->sel[i]);
        if (item == NULL) {
            Py_DECREF(list);
            return NULL;
        }
        PyList_SET_ITEM(list, i, item);
    }
    return list;
}

static int same_as(const Run *r, int status, const int64_t *previous, Py_ssize_t nprev, int has_previous) {
    const Trace *t = r->cur;
    int same = has_previous && status == OK && t->n == nprev;
    for (Py_ssize_t k = 0; same && k < t->n; k++) same = t->sel[k] == previous[k];
    return same;
}

/* Might the projects of this run stop the add1 loop with real budget `budget`: do they cost more,
 * or does no other candidate fit in what is left?  With integer costs and budget (below 2**52:
 * every sum here is exact) this is the exact answer; otherwise within a margin, yes (the caller
 * decides exactly). */
static int might_stop(const Run *r, double budget) {
    const Trace *t = r->cur;
    double spent = 0.0;
    for (Py_ssize_t k = 0; k < t->n; k++) spent += r->cost[t->sel[k]];
    const int exact = r->integral && r->cost_sum < 0x1p52 && budget == floor(budget) && budget < 0x1p52;
    const double margin = exact ? 0.0 : 1e-9 * budget;
    if (exact ? spent > budget : spent > budget - margin) return 1;
    for (Py_ssize_t p = 0; p < r->m; p++) r->dirty[p] = 0; /* scratch: funded */
    for (Py_ssize_t k = 0; k < t->n; k++) r->dirty[t->sel[k]] = 1;
    for (Py_ssize_t p = 0; p < r->m; p++)
        if (!r->dirty[p] && (exact ? spent + r->cost[p] <= budget : spent + r->cost[p] < budget - margin)) return 0;
    return 1;
}

typedef struct {
    double start, step, stop_budget;
    Py_ssize_t count;
    int64_t *previous; /* m entries; the first nprev hold the outcome the scan compares against */
    Py_ssize_t nprev;
    int has_previous;
} Scan;

/* Has the run just computed changed the outcome?  0: no.  1: yes, and the scan returns it (it
 * might stop the add1 loop, or there is no stop budget, or it met a close call).  2: yes, and its
 * projects become the outcome compared against. */
static int scan_returns(Run *r, Scan *s, int status) {
    if (same_as(r, status, s->previous, s->nprev, s->has_previous)) return 0;
    if (status != OK || s->stop_budget < 0.0 || might_stop(r, s->stop_budget)) return 1;
    memcpy(s->previous, r->cur->sel, sizeof(int64_t) * (size_t)r->cur->n);
    s->nprev = r->cur->n;
    s->has_previous = 1;
    return 2;
}

/* The scan with jumps.  Each run the scan computes predicts, from how fast prices and budgets move
 * with b, where the order of the rounds will change next (pred: a rival's price coming down to
 * the winner's, or a project getting enough money).  From a run at i that repeats the outcome it
 * certifies a jump to the budget just below the predicted change (twice as far as the last jump
 * when nothing is predicted); a jump that fails is retried to just below where the failed run
 * estimates the change (back), or half as far; with nothing left to jump over, the next budget
 * is run on its own.  Returns the first i whose run scan_returns, its run in r->cur and status in
 * *status; or count. */
static Py_ssize_t scan_runs(Run *r, Scan *s, Trace **spare, int *status, Py_ssize_t *runs) {
    Py_ssize_t i = 0, span = 2;
    Py_ssize_t limit = s->count - 1; /* no jump past it: a change is there or below */
    Py_ssize_t wait = 0, backoff = 1; /* after jumps that could not be certified, single steps */
    r->predict = 1;
    r->horizon = 8.0 * s->step;
    reset(r, s->start);
    *status = run_rounds(r);
    *runs = 1;
    if (scan_returns(r, s, *status) == 1) return 0;
    for (;;) {
        /* r->cur holds the run at i, which repeats the outcome: the lower end of the next jump */
        Trace *lo = r->cur;
        r->cur = *spare;
        *spare = lo;
        const double pred = r->pred;
        span = isfinite(pred) ? (Py_ssize_t)fmin(ceil(pred / s->step) - 1.0 - floor(0.01 * pred / s->step), 1e9)
                              : 2 * span;
        int uncertified = 0; /* the last jump tried failed without a change seen in it */
        while (wait <= 0) {
            Py_ssize_t hi = i + span;
            if (hi > limit) hi = limit;
            if (hi - i < 2) break;
            r->lo = lo;
            r->horizon = 2.0 * (double)(hi - i) * s->step;
            reset(r, s->start + (double)hi * s->step);
            const int st = run_rounds(r);
            r->lo = NULL;
            ++*runs;
            if (st == OK) { /* every budget in (i, hi] repeats the outcome */
                i = hi;
                backoff = 1;
                goto next;
            }
            limit = hi - 1;
            span = (hi - i) / 2;
            uncertified = !isfinite(r->back);
            if (!uncertified) { /* the order changed below hi: go to just below where it did */
                const double h = ceil((r->cur->b - r->back - lo->b) / s->step) - 1.0;
                if (h >= 1.0 && h < (double)(hi - i)) span = (Py_ssize_t)h;
            }
        }
        if (uncertified) {
            wait = backoff;
            backoff = backoff < 32 ? 2 * backoff : 32;
        }
        /* one budget */
        wait--;
        i++;
        if (i >= s->count) return s->count;
        reset(r, s->start + (double)i * s->step);
        *status = run_rounds(r);
        ++*runs;
        const int changed = scan_returns(r, s, *status);
        if (changed == 1) return i;
        if (changed == 2) { /* the change below limit was this one */
            limit = s->count - 1;
            wait = 0;
        }
    next:
        if (i >= limit) limit = s->count - 1;
        r->horizon = fmax(2.0 * (double)span * s->step, 8.0 * s->step);
    }
}

static int trace_alloc(Trace *t, size_t m1, size_t e1) {
    t->sel = malloc(sizeof(int64_t) * m1);
    t->rho = malloc(sizeof(double) * m1);
    t->poor = calloc(e1, 1);
    t->rv_cap = 32 * (Py_ssize_t)m1 + 64;
    t->rv_q = malloc(sizeof(int64_t) * (size_t)t->rv_cap);
    t->rv_rho = malloc(sizeof(double) * (size_t)t->rv_cap);
    t->rv_start = malloc(sizeof(Py_ssize_t) * (m1 + 2));
    return t->sel && t->rho && t->poor && t->rv_q && t->rv_rho && t->rv_start;
}

static void trace_free(Trace *t) {
    free(t->sel);
    free(t->rho);
    free(t->poor);
    free(t->rv_q);
    free(t->rv_rho);
    free(t->rv_start);
}

static PyObject *cmes_scan(PyObject *self, PyObject *args) {
    (void)self;
    PyObject *o[7];
    Scan s;
    double tol;
    int integral, gallop = 0;
    s.stop_budget = -1.0;
    if (!PyArg_ParseTuple(args, "OOOOOOddnOpdp|pd", &o[0], &o[1], &o[2], &o[3], &o[4], &o[5], &s.start, &s.step,
                          &s.count, &o[6], &s.has_previous, &tol, &integral, &gallop, &s.stop_budget))
        return NULL;
    static const char *names[7] = {"indptr", "sup", "util", "weight", "cost", "rank", "previous"};
    Py_buffer v[7];
    int got = 0;
    PyObject *result = NULL;
    Run r;
    memset(&r, 0, sizeof r);
    Trace traces[2];
    memset(traces, 0, sizeof traces);
    Trace *spare = &traces[1];
    s.previous = NULL;
    for (; got < 7; got++)
        if (get_buffer(o[got], &v[got], names[got], 8) < 0) goto done;
    r.indptr = v[0].buf;
    r.sup = v[1].buf;
    r.util = v[2].buf;
    r.weight = v[3].buf;
    r.cost = v[4].buf;
    r.rank = v[5].buf;
    r.m = v[4].len / 8;
    r.groups = v[3].len / 8;
    r.tol = tol;
    r.integral = integral;
    s.nprev = v[6].len / 8;
    if (v[0].len / 8 != r.m + 1 || v[5].len / 8 != r.m || v[2].len != v[1].len || s.nprev > r.m) {
        PyErr_SetString(PyExc_ValueError, "inconsistent array lengths");
        goto done;
    }
    if (s.count < 1) {
        PyErr_SetString(PyExc_ValueError, "count must be positive");
        goto done;
    }
    if (r.groups > INT32_MAX) {
        PyErr_SetString(PyExc_ValueError, "more than 2**31 - 1 groups of voters");
        goto done;
    }
    if (!csr_ok(r.indptr, r.m, r.sup, (int64_t)(v[1].len / 8), r.groups, "indptr", "supporter")) goto done;
    const size_t m1 = (size_t)(r.m ? r.m : 1), g1 = (size_t)(r.groups ? r.groups : 1);
    const size_t e1 = (size_t)(v[1].len / 8) + 1;
    r.b = malloc(sizeof(double) * g1);
    r.rho = malloc(sizeof(double) * m1);
    r.wu = malloc(sizeof(double) * m1);
    r.wsum = malloc(sizeof(double) * m1);
    r.ew = malloc(sizeof(double) * e1);
    r.ewu = malloc(sizeof(double) * e1);
    r.sup32 = malloc(sizeof(int32_t) * e1);
    r.umax = malloc(sizeof(double) * m1);
    r.umin = malloc(sizeof(double) * m1);
    r.ucon = malloc(sizeof(double) * m1);
    r.alive = malloc(m1);
    r.dirty = malloc(m1);
    r.clean = malloc(m1);
    r.unsure = malloc(g1);
    r.sp = malloc(sizeof(double) * g1);
    r.slo = malloc(sizeof(double) * g1);
    r.shi = malloc(sizeof(double) * g1);
    r.aff = malloc(sizeof(int64_t) * m1);
    r.lo_price = malloc(sizeof(double) * m1);
    r.dead_d = malloc(sizeof(double) * m1);
    r.checked = calloc(m1, sizeof(uint64_t));
    s.previous = malloc(sizeof(int64_t) * m1);
#ifdef __SIZEOF_INT128__
    r.rwu = calloc(m1, sizeof(__int128));
    if (!r.rwu) {
        PyErr_NoMemory();
        goto done;
    }
#endif
    if (!r.b || !r.rho || !r.wu || !r.ew || !r.ewu || !r.sup32 || !r.wsum || !r.umax || !r.umin || !r.ucon || !r.alive ||
        !r.dirty || !r.clean || !r.unsure || !r.sp || !r.slo || !r.shi || !r.aff || !r.lo_price || !r.dead_d || !r.checked ||
        !s.previous || !trace_alloc(&traces[0], m1, e1) || (gallop && !trace_alloc(&traces[1], m1, e1))) {
        PyErr_NoMemory();
        goto done;
    }
    r.cur = &traces[0];
    memcpy(s.previous, v[6].buf, sizeof(int64_t) * (size_t)s.nprev);
    for (size_t p = 0; p < m1; p++) r.lo_price[p] = -1.0;
    for (Py_ssize_t p = 0; p < r.m; p++) {
        double wu = 0.0, wsum = 0.0, umax = 0.0, umin = INFINITY;
        for (int64_t e = r.indptr[p]; e < r.indptr[p + 1]; e++) {
            r.ew[e] = r.weight[r.sup[e]];
            r.ewu[e] = r.ew[e] * r.util[e];
            r.sup32[e] = (int32_t)r.sup[e];
            wu += r.weight[r.sup[e]] * r.util[e];
            wsum += r.weight[r.sup[e]];
            if (r.util[e] > umax) umax = r.util[e];
            if (r.util[e] < umin) umin = r.util[e];
        }
        r.cost_sum += r.cost[p];
        r.wu[p] = wu;
        r.wsum[p] = wsum;
        r.umax[p] = umax;
        r.umin[p] = umin;
        r.ucon[p] = umax;
        for (int64_t e = r.indptr[p]; e < r.indptr[p + 1]; e++)
            if (r.util[e] != umax) r.ucon[p] = 0.0;
    }
    /* budget start + i * step for i = 0, 1, ...: stop at the first close call or the first
     * selection that differs from `previous` (from the first run if there is none) */
    Py_ssize_t i = 0, runs = 0;
    int status = OK;
    /* no Python object is touched in the loop: other threads (a web server) run meanwhile */
    Py_BEGIN_ALLOW_THREADS;
    if (gallop) {
        i = scan_runs(&r, &s, &spare, &status, &runs);
    } else {
        s.stop_budget = -1.0;
        for (; i < s.count; i++) {
            reset(&r, s.start + (double)i * s.step);
            status = run_rounds(&r);
            runs++;
            if (!same_as(&r, status, s.previous, s.nprev, s.has_previous)) break;
        }
    }
    Py_END_ALLOW_THREADS;
    if (i == s.count) {
        result = Py_BuildValue("(niOin)", s.count, OK, Py_None, 0, runs);
        goto done;
    }
    PyObject *list = selection_list(&r);
    if (list == NULL) goto done;
    result = Py_BuildValue("(niNnn)", i, status, list, r.ties, runs);
done:
    free(r.b);
    free(r.rho);
    free(r.wu);
    free(r.wsum);
    free(r.ew);
    free(r.ewu);
    free(r.sup32);
    free(r.umax);
    free(r.umin);
    free(r.ucon);
    free(r.alive);
    free(r.dirty);
    free(r.clean);
    free(r.unsure);
    free(r.sp);
    free(r.slo);
    free(r.shi);
    free(r.aff);
    free(r.lo_price);
    free(r.dead_d);
    free(r.checked);
    free(s.previous);
    trace_free(&traces[0]);
    trace_free(&traces[1]);
#ifdef __SIZEOF_INT128__
    free(r.rwu);
#endif
    for (int k = 0; k < got; k++) PyBuffer_Release(&v[k]);
    return result;
}

static PyMethodDef methods[] = {
    {"scan", cmes_scan, METH_VARARGS, "Method of Equal Shares runs at rising budgets, in floating point (see the module source)."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_cmes", "Lean floating-point Method of Equal Shares runs (plain MES and the add1 completion).", -1,
    methods, NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit__cmes(void) { return PyModule_Create(&module); }
