"""Compiled inner loops of BKT (numba): EM over every skill in parallel, and the one-step-ahead
filter. pyBKT, the reference implementation, runs its EM in C++; a numpy version of the same
recursions is bound by Python overhead on the long sequences of real data, so these loops are
compiled. The kernels take plain arrays; :mod:`kit.progress.bkt` prepares them.

Parameter rows are ``[prior, learn, guess, slip, forget]``.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

PRIOR, LEARN, GUESS, SLIP, FORGET = range(5)
EPS = 1e-6
MAX_GUESS_SLIP = 0.49  # below 0.5: a "skill" where knowing it makes you worse is not identifiable


# safe float shortcuts: reassociation and fused multiply-add, but infinities and NaN stay exact
FAST = {"nsz", "arcp", "contract", "reassoc"}


@njit(cache=True, fastmath=FAST)
def _em_one_skill(obs, seg_start, seg_len, init, max_iter, tol, fit_forget, out):
    """EM for one skill from one starting point; writes the parameters to ``out`` and returns
    the final log-likelihood and the number of iterations."""
    p = init.copy()
    longest = 0
    for s in range(seg_start.shape[0]):
        longest = max(longest, seg_len[s])
    f0 = np.empty(longest)
    f1 = np.empty(longest)
    scale = np.empty(longest)
    previous = -np.inf
    loglik = -np.inf
    iterations = 0
    for iteration in range(max_iter):
        iterations = iteration + 1
        prior_num = 0.0
        learn_num = 0.0
        learn_den = 0.0
        forget_num = 0.0
        forget_den = 0.0
        guess_num = 0.0
        guess_den = 0.0
        slip_num = 0.0
        slip_den = 0.0
        loglik = 0.0
        prior, learn, guess, slip, forget = p[0], p[1], p[2], p[3], p[4]
        for s in range(seg_start.shape[0]):
            start = seg_start[s]
            n = seg_len[s]
            # forward, scaled: f = P(state_t | answers up to t)
            a0 = 1.0 - prior
            a1 = prior
            product = 1.0
            for t in range(n):
                o = obs[start + t]
                e1 = o * (1.0 - slip) + (1.0 - o) * slip
                e0 = o * guess + (1.0 - o) * (1.0 - guess)
                if t > 0:
                    a0 = f0[t - 1] * (1.0 - learn) + f1[t - 1] * forget
                    a1 = f0[t - 1] * learn + f1[t - 1] * (1.0 - forget)
                u0 = a0 * e0
                u1 = a1 * e1
                c = u0 + u1
                f0[t] = u0 / c
                f1[t] = u1 / c
                scale[t] = c
                # one log per many steps: multiply the scales until the product gets small
                product *= c
                if product < 1e-200:
                    loglik += np.log(product)
                    product = 1.0
            loglik += np.log(product)
            # backward, accumulating the expected counts
            b0 = 1.0
            b1 = 1.0
            for t in range(n - 1, -1, -1):
                o = obs[start + t]
                g0 = f0[t] * b0
                g1 = f1[t] * b1
                total = g0 + g1
                g0 /= total
                g1 /= total
                guess_num += g0 * o
                guess_den += g0
                slip_num += g1 * (1.0 - o)
                slip_den += g1
                if t == 0:
                    prior_num += g1
                if t > 0:
                    # xi between t-1 and t, then beta for t-1
                    e1 = o * (1.0 - slip) + (1.0 - o) * slip
                    e0 = o * guess + (1.0 - o) * (1.0 - guess)
                    c = scale[t]
                    x00 = f0[t - 1] * (1.0 - learn) * e0 * b0 / c
                    x01 = f0[t - 1] * learn * e1 * b1 / c
                    x10 = f1[t - 1] * forget * e0 * b0 / c
                    x11 = f1[t - 1] * (1.0 - forget) * e1 * b1 / c
                    learn_num += x01
                    learn_den += x00 + x01
                    forget_num += x10
                    forget_den += x10 + x11
                    nb0 = ((1.0 - learn) * e0 * b0 + learn * e1 * b1) / c
                    nb1 = (forget * e0 * b0 + (1.0 - forget) * e1 * b1) / c
                    b0 = nb0
                    b1 = nb1
        # M step, within bounds
        p[0] = min(max(prior_num / seg_start.shape[0], EPS), 1.0 - EPS)
        if learn_den > 0:
            p[1] = min(max(learn_num / learn_den, EPS), 1.0 - EPS)
        if guess_den > 0:
            p[2] = min(max(guess_num / guess_den, EPS), MAX_GUESS_SLIP)
        if slip_den > 0:
            p[3] = min(max(slip_num / slip_den, EPS), MAX_GUESS_SLIP)
        if fit_forget and forget_den > 0:
            p[4] = min(max(forget_num / forget_den, EPS), 1.0 - EPS)
        if loglik - previous < tol * abs(loglik):
            break
        previous = loglik
    out[:] = p
    return loglik, iterations


@njit(parallel=True, cache=True)
def fit_all(obs, seg_start, seg_len, skill_seg, inits, max_iter, tol, fit_forget, explore, order):
    """EM for every skill from the best of several starting points (``inits``: skills x R x 5).

    Each start runs ``explore`` iterations; only the most likely one continues to convergence
    (EM runs from different starts mostly reach the same optimum, and the first iterations
    already tell them apart). Skills run in parallel, largest first (``order``).
    ``skill_seg[k]:skill_seg[k+1]`` are the segments (one learner's answers on one skill) of
    skill ``k``. Returns the parameters (skills x 5), log-likelihoods and iterations.
    """
    n_skills = inits.shape[0]
    n_restarts = inits.shape[1]
    params = np.empty((n_skills, 5))
    logliks = np.full(n_skills, -np.inf)
    iterations = np.zeros(n_skills, dtype=np.int64)
    for i in prange(n_skills):
        k = order[i]
        lo = skill_seg[k]
        hi = skill_seg[k + 1]
        if hi == lo:
            params[k, :] = inits[k, 0, :]
            continue
        out = np.empty(5)
        best = np.empty(5)
        best_ll = -np.inf
        first = min(explore, max_iter) if n_restarts > 1 else max_iter
        for r in range(n_restarts):
            ll, its = _em_one_skill(
                obs, seg_start[lo:hi], seg_len[lo:hi], inits[k, r], first, tol, fit_forget, out
            )
            iterations[k] += its
            if ll > best_ll:
                best_ll = ll
                best[:] = out
        if max_iter > first:
            best_ll, its = _em_one_skill(
                obs,
                seg_start[lo:hi],
                seg_len[lo:hi],
                best.copy(),
                max_iter - first,
                tol,
                fit_forget,
                best,
            )
            iterations[k] += its
        params[k, :] = best
        logliks[k] = best_ll
    return params, logliks, iterations


@njit(cache=True)
def predict_all(skills, obs, seq_start, seq_len, params, n_skills):
    """One-step-ahead P(correct) of every answer, and P(mastered) after each, per learner in
    order: each prediction uses only that learner's earlier answers."""
    n = skills.shape[0]
    p_correct = np.empty(n)
    p_mastered = np.empty(n)
    # P(known) and P(unknown) are carried separately: near certainty, 1 - p rounds to 0 and
    # the state would stick there however many wrong answers follow
    known_p = np.empty(n_skills)
    known_q = np.empty(n_skills)
    seen = np.zeros(n_skills, dtype=np.bool_)
    for q in range(seq_start.shape[0]):
        start = seq_start[q]
        for i in range(start, start + seq_len[q]):
            k = skills[i]
            prior, learn, guess, slip, forget = (
                params[k, 0],
                params[k, 1],
                params[k, 2],
                params[k, 3],
                params[k, 4],
            )
            if seen[k]:
                kp = known_p[k]
                kq = known_q[k]
            else:
                kp = prior
                kq = 1.0 - prior
            p_correct[i] = kp * (1.0 - slip) + kq * guess
            o = obs[i]
            like1 = o * (1.0 - slip) + (1.0 - o) * slip
            like0 = o * guess + (1.0 - o) * (1.0 - guess)
            post_p = kp * like1
            post_q = kq * like0
            total = post_p + post_q
            post_p /= total
            post_q /= total
            known_p[k] = post_p * (1.0 - forget) + post_q * learn
            known_q[k] = post_q * (1.0 - learn) + post_p * forget
            seen[k] = True
            p_mastered[i] = known_p[k]
        for i in range(start, start + seq_len[q]):
            seen[skills[i]] = False
    return p_correct, p_mastered
