/* Reading the VOTES section of a pabulib file, and building utility tables, in C.
 *
 * On city files (60,000-100,000 ballots) the Python reader spends most of its time splitting vote
 * strings, looking project ids up and building tuples; these two functions do the usual case in
 * one pass each.  They are an optional speed-up: anything unusual makes them return None and the
 * Python code (which also locates errors, with their line) does the work instead, so they never
 * decide what is an error.
 *
 * tally(body, ids, exact_fields, vote_col, ordinal, min_len, max_len, ballot_type)
 *     -> tuple of ballot_type(items, None, count, ()) | None
 *   body: the rows of VOTES after the header, UTF-8 (checked), separated by "\n", without quotes
 *   or "\r";
 *   ids: the project ids (str) in instance order;
 *   each row must have at least vote_col + 1 fields separated by ";" (exactly that many when
 *   exact_fields), the vote (field vote_col) being "" or project ids separated by "," that match
 *   ids exactly, each once, min_len <= count <= max_len.  Items are project indices, sorted
 *   ascending unless ordinal; identical ballots are merged (multiplicity count), in the order
 *   each first appears.  Returns None on any row that is not so (or a blank row).
 *
 * table(ballots, m, mode, costs, top) -> (supporters, utilities) | None
 *   ballots: tuple of ballots as tally returns them (items only are read); m projects;
 *   mode 0: utility 1; 1: utility costs[p] (cost utilities); 2: ordinal, len(ballot) - position;
 *   3: ordinal, len(ballot) - 1 - position (Borda); 4: ordinal, top - position (fixed scale).
 *   Utilities of 0 or less leave the voter out.  supporters[p] are ballot indices ascending,
 *   utilities[p] parallel to them: the same as Election._utilities.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static uint64_t hash_bytes(const char *s, Py_ssize_t n) {
    uint64_t h = 1469598103934665603ULL;
    for (Py_ssize_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 1099511628211ULL;
    }
    return h;
}

static uint64_t hash_items(const int32_t *a, Py_ssize_t n) {
    uint64_t h = 1469598103934665603ULL ^ (uint64_t)n;
    for (Py_ssize_t i = 0; i < n; i++) {
        h ^= (uint64_t)(uint32_t)a[i];
        h *= 1099511628211ULL;
        h ^= h >> 29;
    }
    return h;
}

typedef struct {
    const char **id;
    Py_ssize_t *len;
    int32_t *slot; /* open addressing: project index + 1, 0 empty */
    size_t mask;
} IdTable;

static int32_t id_lookup(const IdTable *t, const char *s, Py_ssize_t n) {
    size_t h = (size_t)hash_bytes(s, n) & t->mask;
    for (;;) {
        const int32_t k = t->slot[h];
        if (k == 0) return -1;
        if (t->len[k - 1] == n && memcmp(t->id[k - 1], s, (size_t)n) == 0) return k - 1;
        h = (h + 1) & t->mask;
    }
}

typedef struct {
    int32_t *pool; /* items of the distinct ballots, one after another */
    size_t pool_len, pool_cap;
    Py_ssize_t *start, *count; /* per distinct ballot: offset in pool (its length is next start) */
    Py_ssize_t n, cap;
    int64_t *slot; /* open addressing: distinct ballot index + 1 */
    uint64_t *slot_hash;
    size_t mask;
} Groups;

static int groups_grow_slots(Groups *g) {
    const size_t size = (g->mask + 1) * 2;
    int64_t *slot = calloc(size, sizeof(int64_t));
    uint64_t *sh = calloc(size, sizeof(uint64_t));
    if (!slot || !sh) {
        free(slot);
        free(sh);
        return -1;
    }
    for (size_t i = 0; i <= g->mask; i++) {
        if (!g->slot[i]) continue;
        size_t h = (size_t)g->slot_hash[i] & (size - 1);
        while (slot[h]) h = (h + 1) & (size - 1);
        slot[h] = g->slot[i];
        sh[h] = g->slot_hash[i];
    }
    free(g->slot);
    free(g->slot_hash);
    g->slot = slot;
    g->slot_hash = sh;
    g->mask = size - 1;
    return 0;
}

/* Count one more ballot with these items.  Returns 0, or -1 out of memory. */
static int groups_add(Groups *g, const int32_t *items, Py_ssize_t k) {
    const uint64_t hv = hash_items(items, k);
    size_t h = (size_t)hv & g->mask;
    for (;;) {
        const int64_t s = g->slot[h];
        if (s == 0) break;
        if (g->slot_hash[h] == hv) {
            const Py_ssize_t b = (Py_ssize_t)(s - 1);
            const Py_ssize_t len = (Py_ssize_t)((b + 1 < g->n ? (size_t)g->start[b + 1] : g->pool_len) - (size_t)g->start[b]);
            if (len == k && memcmp(g->pool + g->start[b], items, sizeof(int32_t) * (size_t)k) == 0) {
                g->count[b]++;
                return 0;
            }
        }
        h = (h + 1) & g->mask;
    }
    if (g->n == g->cap) {
        const Py_ssize_t cap = g->cap * 2;
        Py_ssize_t *st = realloc(g->start, sizeof(Py_ssize_t) * (size_t)cap);
        if (!st) return -1;
        g->start = st;
        Py_ssize_t *ct = realloc(g->count, sizeof(Py_ssize_t) * (size_t)cap);
        if (!ct) return -1;
        g->count = ct;
        g->cap = cap;
    }
    if (g->pool_len + (size_t)k > g->pool_cap) {
        size_t cap = g->pool_cap * 2;
        while (cap < g->pool_len + (size_t)k) cap *= 2;
        int32_t *p = realloc(g->pool, sizeof(int32_t) * cap);
        if (!p) return -1;
        g->pool = p;
        g->pool_cap = cap;
    }
    memcpy(g->pool + g->pool_len, items, sizeof(int32_t) * (size_t)k);
    g->start[g->n] = (Py_ssize_t)g->pool_len;
    g->count[g->n] = 1;
    g->pool_len += (size_t)k;
    g->slot[h] = g->n + 1;
    g->slot_hash[h] = hv;
    g->n++;
    if ((size_t)g->n * 2 > g->mask) return groups_grow_slots(g);
    return 0;
}

static void groups_free(Groups *g) {
    free(g->pool);
    free(g->start);
    free(g->count);
    free(g->slot);
    free(g->slot_hash);
}

/* One row: fills items (k of them) from the vote field.  Returns 1 if the row is usable, 0 if
 * not (the Python reader must look at it). */
static int read_row(const char *row, const char *end, int exact_fields, Py_ssize_t vote_col,
                    const IdTable *ids, int ordinal, Py_ssize_t min_len, Py_ssize_t max_len, int32_t *items,
                    Py_ssize_t *k_out, uint32_t *seen, uint32_t stamp) {
    /* locate the vote field and count the fields */
    const char *f0 = row, *f1 = NULL;
    const char *vs = NULL, *ve = NULL;
    Py_ssize_t field = 0;
    for (const char *p = row;; p++) {
        if (p == end || *p == ';') {
            f1 = p;
            if (field == vote_col) {
                vs = f0;
                ve = f1;
            }
            field++;
            if (p == end) break;
            f0 = p + 1;
            if (field > vote_col && !exact_fields) break; /* the rest of the row is not looked at */
        }
    }
    if (vs == NULL || (exact_fields && field != vote_col + 1)) return 0;
    Py_ssize_t k = 0;
    if (ve > vs) {
        const char *t0 = vs;
        for (const char *p = vs;; p++) {
            if (p == ve || *p == ',') {
                if (k >= max_len) return 0;
                const int32_t idx = id_lookup(ids, t0, (Py_ssize_t)(p - t0));
                if (idx < 0 || seen[idx] == stamp) return 0;
                seen[idx] = stamp;
                items[k++] = idx;
                if (p == ve) break;
                t0 = p + 1;
            }
        }
    }
    if (k < min_len) return 0;
    if (!ordinal && k > 1) {
        /* short ballots: insertion sort */
        for (Py_ssize_t i = 1; i < k; i++) {
            const int32_t x = items[i];
            Py_ssize_t j = i - 1;
            while (j >= 0 && items[j] > x) {
                items[j + 1] = items[j];
                j--;
            }
            items[j + 1] = x;
        }
    }
    *k_out = k;
    return 1;
}

/* Is s[0..n) valid UTF-8, as Python's strict decoder has it (no overlong forms, surrogates or
 * code points above U+10FFFF)? */
static int utf8_ok(const unsigned char *s, Py_ssize_t n) {
    Py_ssize_t i = 0;
    while (i < n) {
        const unsigned char c = s[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        Py_ssize_t k;
        unsigned char lo = 0x80, hi = 0xBF;
        if (c >= 0xC2 && c <= 0xDF) k = 1;
        else if (c >= 0xE0 && c <= 0xEF) {
            k = 2;
            if (c == 0xE0) lo = 0xA0;
            if (c == 0xED) hi = 0x9F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            k = 3;
            if (c == 0xF0) lo = 0x90;
            if (c == 0xF4) hi = 0x8F;
        } else return 0;
        if (i + k >= n) return 0; /* the sequence is cut off */
        if (s[i + 1] < lo || s[i + 1] > hi) return 0;
        for (Py_ssize_t j = 2; j <= k; j++)
            if (s[i + j] < 0x80 || s[i + j] > 0xBF) return 0;
        i += k + 1;
    }
    return 1;
}

static PyObject *cvotes_tally(PyObject *self, PyObject *args) {
    (void)self;
    Py_buffer body;
    PyObject *ids_list, *ballot_type;
    Py_ssize_t vote_col, min_len, max_len;
    int exact_fields, ordinal;
    if (!PyArg_ParseTuple(args, "y*O!pnpnnO!", &body, &PyList_Type, &ids_list, &exact_fields, &vote_col,
                          &ordinal, &min_len, &max_len, &PyType_Type, &ballot_type))
        return NULL;
    PyTypeObject *btype = (PyTypeObject *)ballot_type;
    PyObject *result = NULL;
    IdTable ids;
    memset(&ids, 0, sizeof ids);
    Groups g;
    memset(&g, 0, sizeof g);
    int32_t *items = NULL;
    uint32_t *seen = NULL;
    const Py_ssize_t m = PyList_GET_SIZE(ids_list);
    if (!PyType_IsSubtype(btype, &PyTuple_Type)) {
        PyErr_SetString(PyExc_TypeError, "ballot_type must be a tuple type");
        goto done;
    }
    if (max_len < 0 || max_len > m) max_len = m; /* no ballot lists a project twice */
    if (min_len < 0) min_len = 0;
    size_t size = 16;
    while (size < (size_t)m * 2 + 2) size *= 2;
    ids.id = calloc((size_t)m + 1, sizeof(char *));
    ids.len = calloc((size_t)m + 1, sizeof(Py_ssize_t));
    ids.slot = calloc(size, sizeof(int32_t));
    ids.mask = size - 1;
    items = malloc(sizeof(int32_t) * ((size_t)m + 1));
    seen = calloc((size_t)m + 1, sizeof(uint32_t));
    g.cap = 1024;
    g.start = malloc(sizeof(Py_ssize_t) * (size_t)g.cap);
    g.count = malloc(sizeof(Py_ssize_t) * (size_t)g.cap);
    g.pool_cap = 4096;
    g.pool = malloc(sizeof(int32_t) * g.pool_cap);
    g.mask = 2047;
    g.slot = calloc(g.mask + 1, sizeof(int64_t));
    g.slot_hash = calloc(g.mask + 1, sizeof(uint64_t));
    if (!ids.id || !ids.len || !ids.slot || !items || !seen || !g.start || !g.count || !g.pool || !g.slot ||
        !g.slot_hash) {
        PyErr_NoMemory();
        goto done;
    }
    for (Py_ssize_t p = 0; p < m; p++) {
        PyObject *s = PyList_GET_ITEM(ids_list, p);
        if (!PyUnicode_Check(s)) {
            PyErr_SetString(PyExc_TypeError, "ids must be str");
            goto done;
        }
        Py_ssize_t n;
        const char *u = PyUnicode_AsUTF8AndSize(s, &n);
        if (u == NULL) goto done;
        if (id_lookup(&ids, u, n) >= 0) { /* duplicate project ids: not the usual case */
            result = Py_NewRef(Py_None);
            goto done;
        }
        ids.id[p] = u;
        ids.len[p] = n;
        size_t h = (size_t)hash_bytes(u, n) & ids.mask;
        while (ids.slot[h]) h = (h + 1) & ids.mask;
        ids.slot[h] = (int32_t)(p + 1);
    }
    const char *text = body.buf, *end = text + body.len;
    int usable = 1;
    uint32_t stamp = 0;
    Py_BEGIN_ALLOW_THREADS;
    usable = utf8_ok(body.buf, body.len);
    for (const char *row = text; row < end && usable;) {
        const char *nl = memchr(row, '\n', (size_t)(end - row));
        const char *row_end = nl ? nl : end;
        Py_ssize_t k = 0;
        stamp++;
        if (row_end == row ||
            !read_row(row, row_end, exact_fields, vote_col, &ids, ordinal, min_len, max_len, items, &k, seen,
                      stamp)) {
            usable = 0;
            break;
        }
        if (groups_add(&g, items, k) < 0) {
            usable = -1;
            break;
        }
        row = nl ? nl + 1 : end;
    }
    Py_END_ALLOW_THREADS;
    if (usable < 0) {
        PyErr_NoMemory();
        goto done;
    }
    if (!usable || g.n == 0) {
        result = Py_NewRef(Py_None);
        goto done;
    }
    PyObject *out = PyTuple_New(g.n);
    if (out == NULL) goto done;
    for (Py_ssize_t b = 0; b < g.n; b++) {
        const Py_ssize_t s0 = g.start[b];
        const Py_ssize_t k = (Py_ssize_t)((b + 1 < g.n ? (size_t)g.start[b + 1] : g.pool_len) - (size_t)s0);
        PyObject *it = PyTuple_New(k);
        PyObject *cnt = it ? PyLong_FromSsize_t(g.count[b]) : NULL;
        PyObject *ballot = cnt ? btype->tp_alloc(btype, 4) : NULL;
        if (ballot == NULL) {
            Py_XDECREF(it);
            Py_XDECREF(cnt);
            Py_DECREF(out);
            goto done;
        }
        for (Py_ssize_t i = 0; i < k; i++) {
            PyObject *x = PyLong_FromLong((long)g.pool[s0 + i]);
            if (x == NULL) {
                Py_DECREF(it);
                Py_DECREF(cnt);
                Py_DECREF(ballot);
                Py_DECREF(out);
                goto done;
            }
            PyTuple_SET_ITEM(it, i, x);
        }
        PyTuple_SET_ITEM(ballot, 0, it);
        PyTuple_SET_ITEM(ballot, 1, Py_NewRef(Py_None));
        PyTuple_SET_ITEM(ballot, 2, cnt);
        PyTuple_SET_ITEM(ballot, 3, PyTuple_New(0));
        /* tuples of numbers are never part of a reference cycle: keeping 100,000s of them away
         * from the cycle collector saves it long passes (CPython untracks such plain tuples
         * itself, but only when a collection finds them) */
        PyObject_GC_UnTrack(it);
        PyObject_GC_UnTrack(ballot);
        PyTuple_SET_ITEM(out, b, ballot);
    }
    result = out;
done:
    free(ids.id);
    free(ids.len);
    free(ids.slot);
    free(items);
    free(seen);
    groups_free(&g);
    PyBuffer_Release(&body);
    return result;
}

static PyObject *cvotes_table(PyObject *self, PyObject *args) {
    (void)self;
    PyObject *ballots, *costs;
    Py_ssize_t m, top;
    int mode;
    if (!PyArg_ParseTuple(args, "O!niO!n", &PyTuple_Type, &ballots, &m, &mode, &PyTuple_Type, &costs, &top))
        return NULL;
    if (mode < 0 || mode > 4 || PyTuple_GET_SIZE(costs) != m) {
        PyErr_SetString(PyExc_ValueError, "bad mode or costs");
        return NULL;
    }
    const Py_ssize_t nb = PyTuple_GET_SIZE(ballots);
    Py_ssize_t *cnt = calloc((size_t)m + 1, sizeof(Py_ssize_t));
    Py_ssize_t *fill = calloc((size_t)m + 1, sizeof(Py_ssize_t));
    PyObject *sup = NULL, *uti = NULL, *result = NULL;
    PyObject **ints = NULL; /* small utilities, shared */
    if (!cnt || !fill) {
        PyErr_NoMemory();
        goto done;
    }
    /* pass 1: check the items and count the supporters of each project */
    for (Py_ssize_t b = 0; b < nb; b++) {
        PyObject *ballot = PyTuple_GET_ITEM(ballots, b);
        if (!PyTuple_Check(ballot) || PyTuple_GET_SIZE(ballot) < 1 || !PyTuple_Check(PyTuple_GET_ITEM(ballot, 0))) {
            result = Py_NewRef(Py_None);
            goto done;
        }
        PyObject *items = PyTuple_GET_ITEM(ballot, 0);
        const Py_ssize_t k = PyTuple_GET_SIZE(items);
        for (Py_ssize_t i = 0; i < k; i++) {
            const Py_ssize_t p = PyLong_AsSsize_t(PyTuple_GET_ITEM(items, i));
            if (p < 0 || p >= m) {
                if (PyErr_Occurred()) PyErr_Clear();
                result = Py_NewRef(Py_None);
                goto done;
            }
            Py_ssize_t u = 1;
            if (mode == 2) u = k - i;
            else if (mode == 3) u = k - 1 - i;
            else if (mode == 4) u = top - i;
            if (u > 0) cnt[p]++;
        }
    }
    sup = PyTuple_New(m);
    uti = PyTuple_New(m);
    if (!sup || !uti) goto done;
    for (Py_ssize_t p = 0; p < m; p++) {
        PyObject *s = PyTuple_New(cnt[p]), *u = PyTuple_New(cnt[p]);
        if (!s || !u) {
            Py_XDECREF(s);
            Py_XDECREF(u);
            goto done;
        }
        PyTuple_SET_ITEM(sup, p, s);
        PyTuple_SET_ITEM(uti, p, u);
    }
    const Py_ssize_t nints = (mode == 4 ? top : 0) + 64;
    ints = calloc((size_t)nints + 1, sizeof(PyObject *));
    if (!ints) {
        PyErr_NoMemory();
        goto done;
    }
    /* pass 2: fill; ballot indices ascend, so every supporters[p] is sorted */
    for (Py_ssize_t b = 0; b < nb; b++) {
        PyObject *items = PyTuple_GET_ITEM(PyTuple_GET_ITEM(ballots, b), 0);
        const Py_ssize_t k = PyTuple_GET_SIZE(items);
        PyObject *gb = NULL;
        for (Py_ssize_t i = 0; i < k; i++) {
            const Py_ssize_t p = PyLong_AsSsize_t(PyTuple_GET_ITEM(items, i));
            Py_ssize_t u = 1;
            if (mode == 2) u = k - i;
            else if (mode == 3) u = k - 1 - i;
            else if (mode == 4) u = top - i;
            if (u <= 0) continue;
            if (gb == NULL) {
                gb = PyLong_FromSsize_t(b);
                if (gb == NULL) goto done;
            } else {
                Py_INCREF(gb);
            }
            PyObject *uo;
            if (mode == 1) {
                uo = Py_NewRef(PyTuple_GET_ITEM(costs, p));
            } else if (u < nints) {
                if (ints[u] == NULL) {
                    ints[u] = PyLong_FromSsize_t(u);
                    if (ints[u] == NULL) {
                        Py_DECREF(gb);
                        goto done;
                    }
                }
                uo = Py_NewRef(ints[u]);
            } else {
                uo = PyLong_FromSsize_t(u);
                if (uo == NULL) {
                    Py_DECREF(gb);
                    goto done;
                }
            }
            PyTuple_SET_ITEM(PyTuple_GET_ITEM(sup, p), fill[p], gb);
            PyTuple_SET_ITEM(PyTuple_GET_ITEM(uti, p), fill[p], uo);
            fill[p]++;
        }
    }
    for (Py_ssize_t p = 0; p < m; p++) { /* tuples of numbers: see tally */
        PyObject_GC_UnTrack(PyTuple_GET_ITEM(sup, p));
        PyObject_GC_UnTrack(PyTuple_GET_ITEM(uti, p));
    }
    result = Py_BuildValue("(OO)", sup, uti);
done:
    if (ints) {
        for (Py_ssize_t i = 0; i <= (mode == 4 ? top : 0) + 64; i++) Py_XDECREF(ints[i]);
        free(ints);
    }
    Py_XDECREF(sup);
    Py_XDECREF(uti);
    free(cnt);
    free(fill);
    return result;
}

/* flat(rows) -> bytes | None: the ints of a tuple of tuples of ints, one after another, as
 * native int64 (for numpy.frombuffer); None if an item is not an int that fits. */
static PyObject *cvotes_flat(PyObject *self, PyObject *args) {
    (void)self;
    PyObject *rows;
    if (!PyArg_ParseTuple(args, "O!", &PyTuple_Type, &rows)) return NULL;
    const Py_ssize_t n = PyTuple_GET_SIZE(rows);
    Py_ssize_t total = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *row = PyTuple_GET_ITEM(rows, i);
        if (!PyTuple_Check(row)) Py_RETURN_NONE;
        total += PyTuple_GET_SIZE(row);
    }
    PyObject *out = PyBytes_FromStringAndSize(NULL, total * (Py_ssize_t)sizeof(int64_t));
    if (out == NULL) return NULL;
    int64_t *dst = (int64_t *)PyBytes_AS_STRING(out);
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *row = PyTuple_GET_ITEM(rows, i);
        const Py_ssize_t k = PyTuple_GET_SIZE(row);
        for (Py_ssize_t j = 0; j < k; j++) {
            PyObject *x = PyTuple_GET_ITEM(row, j);
            int overflow = 0;
            const long long v = PyLong_Check(x) ? PyLong_AsLongLongAndOverflow(x, &overflow) : -1;
            if (!PyLong_Check(x) || overflow || (v == -1 && PyErr_Occurred())) {
                PyErr_Clear();
                Py_DECREF(out);
                Py_RETURN_NONE;
            }
            *dst++ = (int64_t)v;
        }
    }
    return out;
}

static PyMethodDef methods[] = {
    {"flat", cvotes_flat, METH_VARARGS, "A tuple of tuples of ints as int64 bytes, or None."},
    {"tally", cvotes_tally, METH_VARARGS, "Read and group the usual VOTES rows (see the module source)."},
    {"table", cvotes_table, METH_VARARGS, "Supporters and utilities per project (see the module source)."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_cvotes", "Reading pabulib VOTES and building utility tables in C.", -1,
    methods, NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit__cvotes(void) { return PyModule_Create(&module); }
