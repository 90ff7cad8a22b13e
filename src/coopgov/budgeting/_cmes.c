/* A lean Method of Equal Shares run in floating point, for the add1 completion.
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
 * status 1: the caller then runs the exact-checked Python engine for that budget.  Float errors here are of
 * order 1e-13 relative, far inside the margin (1e-9), so every decision it does take is the one
 * exact arithmetic takes.
 *
 * scan(indptr, sup, util, weight, cost, rank, start, step, count, previous,
 *      has_previous, tol, integral[, gallop]) -> (i, status, selected, ties, runs)
 *   indptr int64[m+1], sup int64[E], util float64[E]: supporters (group index) and utilities of
 *       the m candidate projects (positive cost, some positive utility), CSR;
 *   weight float64[G]: voters per group (G groups); cost float64[m]; rank int64[m] (tie-breaking
 *   order);
 *   runs MES with every voter's budget start + i * step for i = 0, 1, ..., count - 1 and returns
 *   at the first i whose run meets a close call (status 1, selected: what was decided so far) or
 *   selects other projects than previous int64[*] (status 0, selected: the candidate indices in
 *   the order they were funded); with has_previous false that is i = 0.  If all count runs
 *   select previous, returns (count, 0, None, 0, runs).  ties: how many exact ties the run returned
 *   settled by the tie-breaking order; runs: how many MES runs were computed.  gallop: jump over
 *   budgets where certify_round shows that every budget in between repeats previous (the runs
 *   returned are the same as without it, and fewer are computed).  The add1 loop looks at the outcome only where it
 *   changes: an outcome that does not stop the loop at one budget does not stop it at another.
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

typedef struct {
    const int64_t *indptr, *sup, *rank;
    const double *util, *weight, *cost;
    Py_ssize_t m, groups;
    double tol;
    int integral;     /* costs, utilities and weights are integers: exact ties can be settled */
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
    Py_ssize_t ties;  /* exact ties settled by the tie-breaking order in this run */
    int64_t *sel;     /* the projects funded so far, in order */
    double *sel_rho;  /* the price each was funded at */
    Py_ssize_t nsel;
    /* certifying a run against a lower budget's run (certify_round), when lo_sel is not NULL */
    const int64_t *lo_sel;
    const double *lo_rho;
    Py_ssize_t lo_n;
} Run;

enum { OK = 0, CLOSE = 1, UNAFFORDABLE = 2, NOT_CERTIFIED = 3 };
enum { UNSETTLED = 2 }; /* clean[p]: 0 no, 1 yes, UNSETTLED not yet looked at since p was priced */

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

/* Price of project p at the current budgets: the smallest rho with
 * sum_i w_i min(b_i, rho u_i) = cost.  Returns UNAFFORDABLE, CLOSE or OK.
 *
 * The iteration rho <- (cost - money of the supporters with b < rho u) / (sum of w u of the
 * others) is Newton's method on the concave sum from the left: started at any rho not above the
 * answer it climbs to it without overshooting.  It starts at the last price computed for p (a
 * lower bound: budgets only fall during a run), with the first step fused into the pass that
 * totals the supporters' money. */
static int price(Run *r, Py_ssize_t p, double *out) {
    const int64_t lo = r->indptr[p], hi = r->indptr[p + 1];
    const double cost = r->cost[p];
    double rho = r->rho[p];
    double money = 0.0, poor_money = 0.0, rich_wu = 0.0;
    for (int64_t e = lo; e < hi; e++) {
        const double w = r->ew[e], bg = r->b[r->sup[e]];
        money += w * bg;
        if (bg < rho * r->util[e]) {
            poor_money += w * bg;
        } else {
            rich_wu += r->ewu[e];
        }
    }
    if (money < cost * (1.0 - r->tol)) return UNAFFORDABLE;
    if (money <= cost * (1.0 + r->tol)) return CLOSE;
    r->clean[p] = UNSETTLED;
    for (int iter = 0; iter < 1000; iter++) {
        if (rich_wu <= 0.0) return CLOSE;
        const double next = (cost - poor_money) / rich_wu;
        if (next <= rho * (1.0 + 1e-15)) {
            *out = next > rho ? next : rho;
            return OK;
        }
        rho = next;
        poor_money = 0.0;
        rich_wu = 0.0;
        for (int64_t e = lo; e < hi; e++) {
            const double bg = r->b[r->sup[e]];
            if (bg < rho * r->util[e]) {
                poor_money += r->ew[e] * bg;
            } else {
                rich_wu += r->ewu[e];
            }
        }
    }
    return CLOSE;
}

/* Bring p's price up to date; an unaffordable project leaves the running.  Returns price()'s
 * status. */
static int refresh(Run *r, Py_ssize_t p) {
    double rho;
    const int st = price(r, p, &rho);
    if (st == CLOSE) return CLOSE;
    r->dirty[p] = 0;
    if (st == UNAFFORDABLE)
        r->alive[p] = 0;
    else
        r->rho[p] = rho;
    return st;
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

/* Certifying (the add1 scan's jumps).  The run at a lower budget lo funded lo_sel[k] at price
 * lo_rho[k] in round k; this run is at a budget hi > lo.  If in every round both runs fund the
 * same project w and every other project still in the running at hi is either unaffordable
 * there or priced clearly above w's price at lo, then every budget between lo and hi funds the
 * same projects in the same order.  By induction on the rounds: with the same projects funded
 * before, every voter's budget is non-decreasing in the initial budget (a payer keeps
 * max(0, b - rho u), and rho falls as budgets rise), so at a budget b in between w costs at most
 * its price at lo (and is affordable, as it is at lo), and any other project q at least its
 * price at hi (or is unaffordable, as it is at hi): w wins.  Prices not yet brought up to date
 * are lower bounds, which keeps the test sound; rivals close to the bound are brought up to
 * date, and any close call fails the test (the scan then runs the budgets one by one). */
static int certify_round(Run *r, Py_ssize_t w) {
    const Py_ssize_t k = r->nsel;
    if (k >= r->lo_n || r->lo_sel[k] != w) return NOT_CERTIFIED;
    const double bound = r->lo_rho[k] * (1.0 + r->tol);
    for (Py_ssize_t q = 0; q < r->m; q++) {
        if (q == w || !r->alive[q] || r->rho[q] > bound) continue;
        if (r->dirty[q]) {
            const int st = refresh(r, q);
            if (st == CLOSE) return NOT_CERTIFIED;
            if (st == UNAFFORDABLE || r->rho[q] > bound) continue;
        }
        return NOT_CERTIFIED;
    }
    return OK;
}

static int run_rounds(Run *r) {
    const Py_ssize_t m = r->m;
    for (;;) {
        /* the cheapest project whose price is up to date */
        Py_ssize_t best = -1;
        for (;;) {
            best = -1;
            for (Py_ssize_t p = 0; p < m; p++)
                if (r->alive[p] && (best < 0 || better(r, p, best))) best = p;
            if (best < 0) return r->lo_sel != NULL && r->nsel != r->lo_n ? NOT_CERTIFIED : OK;
            if (!r->dirty[best]) break;
            if (refresh(r, best) == CLOSE) return CLOSE;
        }
        /* every rival within the margin must be up to date, and either clearly behind or
         * compared exactly (both prices clean); the exact winner of the near-tie is funded */
        const double limit = r->rho[best] * (1.0 + r->tol);
        Py_ssize_t winner = best;
        for (Py_ssize_t q = 0; q < m; q++) {
            if (q == best || !r->alive[q] || r->rho[q] > limit) continue;
            if (r->dirty[q]) {
                const int st = refresh(r, q);
                if (st == CLOSE) return CLOSE;
                if (st == UNAFFORDABLE || r->rho[q] > limit) continue;
            }
            const int cmp = settle_tie(r, winner, q);
            if (cmp == CLOSE_CMP) return CLOSE;
            if (cmp > 0) winner = q;
        }
        best = winner;
        if (r->lo_sel != NULL && certify_round(r, best) != OK) return NOT_CERTIFIED;
        /* fund it: every supporter pays min(budget, rho * u) */
        const double rho = r->rho[best];
        for (int64_t e = r->indptr[best]; e < r->indptr[best + 1]; e++) {
            const int64_t g = r->sup[e];
            const double due = rho * r->util[e], bg = r->b[g];
            if (bg <= 0.0) continue;
            const double left = bg - due;
            /* a payment within the margin of all it has: exact arithmetic may leave a crumb */
            if (fabs(left) <= r->tol * bg) r->unsure[g] = 1;
            r->b[g] = left <= 1e-12 * bg ? 0.0 : left;
        }
        /* most projects share a supporter with any winner: treat every price as possibly stale */
        memset(r->dirty, 1, (size_t)r->m);
        r->alive[best] = 0;
        r->sel_rho[r->nsel] = rho;
        r->sel[r->nsel++] = best;
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
 * supporter can pay rho u at rho = cost / wu, that is the price (exactly what price() computes:
 * the same sum in the same order); otherwise price() works it out when it is needed. */
static void reset(Run *r, double per_voter) {
    for (Py_ssize_t g = 0; g < r->groups; g++) r->b[g] = per_voter;
    memset(r->unsure, 0, (size_t)r->groups);
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
    }
    r->nsel = 0;
    r->ties = 0;
}

static PyObject *selection_list(const Run *r) {
    PyObject *list = PyList_New(r->nsel);
    if (list == NULL) return NULL;
    for (Py_ssize_t i = 0; i < r->nsel; i++) {
        PyObject *item = PyLong_FromLongLong((long long)r->sel[i]);
        if (item == NULL) {
            Py_DECREF(list);
            return NULL;
        }
        PyList_SET_ITEM(list, i, item);
    }
    return list;
}

static int same_as(const Run *r, int status, const int64_t *previous, Py_ssize_t nprev, int has_previous) {
    int same = has_previous && status == OK && r->nsel == nprev;
    for (Py_ssize_t k = 0; same && k < r->nsel; k++) same = r->sel[k] == previous[k];
    return same;
}

/* The scan with jumps: after a run that repeats previous, try to certify a jump of `span`
 * budgets at once (certify_round: every budget in between repeats it too), doubling the span
 * after a success and cutting it after a failure, when budgets are run one by one for a while
 * (backoff).  Returns the first i whose run does not repeat previous (its run is in r, status
 * in *status), or count. */
static Py_ssize_t gallop_runs(Run *r, double start, double step, Py_ssize_t count, const int64_t *previous,
                              Py_ssize_t nprev, int has_previous, int64_t *lo_sel, double *lo_rho, int *status,
                              Py_ssize_t *runs) {
    Py_ssize_t i = 0, span = 2, wait = 0, backoff = 1, lo_n = 0;
    int fresh = 1; /* r holds the run at i (else a failed jump's run: lo_* hold the run at i) */
    reset(r, start);
    *status = run_rounds(r);
    *runs = 1;
    if (!same_as(r, *status, previous, nprev, has_previous)) return 0;
    for (;;) {
        if (fresh) { /* the run at i repeats previous: it is the lower end of the next jump */
            memcpy(lo_sel, r->sel, sizeof(int64_t) * (size_t)r->nsel);
            memcpy(lo_rho, r->sel_rho, sizeof(double) * (size_t)r->nsel);
            lo_n = r->nsel;
        }
        const Py_ssize_t hi = i + span < count - 1 ? i + span : count - 1;
        if (wait <= 0 && hi - i >= 2) {
            reset(r, start + (double)hi * step);
            r->lo_sel = lo_sel;
            r->lo_rho = lo_rho;
            r->lo_n = lo_n;
            const int st = run_rounds(r);
            r->lo_sel = NULL;
            ++*runs;
            if (st == OK) { /* every budget in (i, hi] repeats previous */
                i = hi;
                fresh = 1;
                backoff = 1;
                if (span < (Py_ssize_t)1 << 20) span *= 2;
                continue;
            }
            if (span >= 8) { /* a shorter jump from the same run */
                span /= 4;
                fresh = 0;
                continue;
            }
            span = 2;
            wait = backoff;
            if (backoff < 32) backoff *= 2;
        }
        /* one budget */
        i++;
        wait--;
        if (i >= count) return count;
        reset(r, start + (double)i * step);
        *status = run_rounds(r);
        ++*runs;
        fresh = 1;
        if (!same_as(r, *status, previous, nprev, has_previous)) return i;
    }
}

static PyObject *cmes_scan(PyObject *self, PyObject *args) {
    (void)self;
    PyObject *o[7];
    double start, step, tol;
    Py_ssize_t count;
    int integral, has_previous, gallop = 0;
    if (!PyArg_ParseTuple(args, "OOOOOOddnOpdp|p", &o[0], &o[1], &o[2], &o[3], &o[4], &o[5], &start, &step, &count,
                          &o[6], &has_previous, &tol, &integral, &gallop))
        return NULL;
    static const char *names[7] = {"indptr", "sup", "util", "weight", "cost", "rank", "previous"};
    Py_buffer v[7];
    int got = 0;
    PyObject *result = NULL;
    Run r;
    memset(&r, 0, sizeof r);
    int64_t *lo_sel = NULL; /* the run at the lower end of a jump (gallop) */
    double *lo_rho = NULL;
    for (; got < 7; got++)
        if (get_buffer(o[got], &v[got], names[got], 8) < 0) goto done;
    r.indptr = v[0].buf;
    r.sup = v[1].buf;
    r.util = v[2].buf;
    r.weight = v[3].buf;
    r.cost = v[4].buf;
    r.rank = v[5].buf;
    const int64_t *previous = v[6].buf;
    const Py_ssize_t nprev = v[6].len / 8;
    r.m = v[4].len / 8;
    r.groups = v[3].len / 8;
    r.tol = tol;
    r.integral = integral;
    if (v[0].len / 8 != r.m + 1 || v[5].len / 8 != r.m || v[2].len != v[1].len) {
        PyErr_SetString(PyExc_ValueError, "inconsistent array lengths");
        goto done;
    }
    if (count < 1) {
        PyErr_SetString(PyExc_ValueError, "count must be positive");
        goto done;
    }
    if (!csr_ok(r.indptr, r.m, r.sup, (int64_t)(v[1].len / 8), r.groups, "indptr", "supporter")) goto done;
    const size_t m1 = (size_t)(r.m ? r.m : 1), g1 = (size_t)(r.groups ? r.groups : 1);
    r.b = malloc(sizeof(double) * g1);
    r.rho = malloc(sizeof(double) * m1);
    r.wu = malloc(sizeof(double) * m1);
    r.wsum = malloc(sizeof(double) * m1);
    const size_t e1 = (size_t)(v[1].len / 8) + 1;
    r.ew = malloc(sizeof(double) * e1);
    r.ewu = malloc(sizeof(double) * e1);
    r.umax = malloc(sizeof(double) * m1);
    r.sel = malloc(sizeof(int64_t) * m1);
    r.sel_rho = malloc(sizeof(double) * m1);
    lo_sel = malloc(sizeof(int64_t) * m1);
    lo_rho = malloc(sizeof(double) * m1);
    r.alive = malloc(m1);
    r.dirty = malloc(m1);
    r.clean = malloc(m1);
    r.unsure = malloc(g1);
#ifdef __SIZEOF_INT128__
    r.rwu = calloc(m1, sizeof(__int128));
    if (!r.rwu) {
        PyErr_NoMemory();
        goto done;
    }
#endif
    if (!r.b || !r.rho || !r.wu || !r.ew || !r.ewu || !r.wsum || !r.umax || !r.sel || !r.sel_rho || !lo_sel || !lo_rho || !r.alive || !r.dirty || !r.clean || !r.unsure) {
        PyErr_NoMemory();
        goto done;
    }
    for (Py_ssize_t p = 0; p < r.m; p++) {
        double wu = 0.0, wsum = 0.0, umax = 0.0;
        for (int64_t e = r.indptr[p]; e < r.indptr[p + 1]; e++) {
            r.ew[e] = r.weight[r.sup[e]];
            r.ewu[e] = r.ew[e] * r.util[e];
            wu += r.weight[r.sup[e]] * r.util[e];
            wsum += r.weight[r.sup[e]];
            if (r.util[e] > umax) umax = r.util[e];
        }
        r.wu[p] = wu;
        r.wsum[p] = wsum;
        r.umax[p] = umax;
    }
    /* budget start + i * step for i = 0, 1, ...: stop at the first close call or the first
     * selection that differs from `previous` (from the first run if there is none) */
    Py_ssize_t i = 0, runs = 0;
    int status = OK;
    /* no Python object is touched in the loop: other threads (a web server) run meanwhile */
    Py_BEGIN_ALLOW_THREADS;
    if (gallop)
        i = gallop_runs(&r, start, step, count, previous, nprev, has_previous, lo_sel, lo_rho, &status, &runs);
    else
        for (; i < count; i++) {
            reset(&r, start + (double)i * step);
            status = run_rounds(&r);
            runs++;
            if (!same_as(&r, status, previous, nprev, has_previous)) break;
        }
    Py_END_ALLOW_THREADS;
    if (i == count) {
        result = Py_BuildValue("(niOin)", count, OK, Py_None, 0, runs);
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
    free(r.umax);
    free(r.sel);
    free(r.sel_rho);
    free(lo_sel);
    free(lo_rho);
    free(r.alive);
    free(r.dirty);
    free(r.clean);
    free(r.unsure);
#ifdef __SIZEOF_INT128__
    free(r.rwu);
#endif
    for (int i = 0; i < got; i++) PyBuffer_Release(&v[i]);
    return result;
}

static PyMethodDef methods[] = {
    {"scan", cmes_scan, METH_VARARGS, "Method of Equal Shares runs at rising budgets, in floating point (see the module source)."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_cmes", "Lean floating-point Method of Equal Shares runs for the add1 completion.", -1,
    methods, NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit__cmes(void) { return PyModule_Create(&module); }
