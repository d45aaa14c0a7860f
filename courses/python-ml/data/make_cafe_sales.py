"""Generate ``cafe_sales.csv``, the synthetic data set used in lessons 04 and 05.

Three imaginary cafés ("Harbour", "Station", "Park") and four weeks of
daily sales. Every number is made up by a seeded random generator, so running
this script again gives exactly the same file:

    python make_cafe_sales.py            # writes cafe_sales.csv next to this file

The data is deliberately a little messy, so that the pandas lesson has
something to clean:

* the ``shop`` column has inconsistent capitalisation and stray spaces;
* ``revenue`` is a number stored as text, with junk such as "unknown" and "-";
* some ``cakes`` and ``temperature_c`` values are missing;
* two rows are exact duplicates of other rows.

Released under CC0 1.0 (public domain dedication).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

SEED = 2024
OUT = Path(__file__).with_name("cafe_sales.csv")

# Typical number of coffees on a mild (15 °C), dry weekday.
BASE_COFFEES = {"Harbour": 110, "Station": 145, "Park": 80}
# Weekend effect: commuters vanish from the station, families visit the park.
WEEKEND_EFFECT = {"Harbour": 15, "Station": -45, "Park": 35}


def make_sales(seed: int = SEED) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    dates = pd.date_range("2024-04-01", periods=28, freq="D")

    # One weather report per day, shared by all three cafés (same town).
    weather = rng.choice(["sunny", "cloudy", "rainy"], size=len(dates), p=[0.35, 0.4, 0.25])
    mean_temp = {"sunny": 19.0, "cloudy": 15.0, "rainy": 12.0}
    temperature = np.array([rng.normal(mean_temp[w], 2.0) for w in weather]).round(1)

    rows = []
    for date, w, temp in zip(dates, weather, temperature):
        weekend = date.day_of_week >= 5
        for shop, base in BASE_COFFEES.items():
            coffees = (
                base
                + (WEEKEND_EFFECT[shop] if weekend else 0)
                - 2.5 * (temp - 15)  # warm days: fewer hot drinks
                + (12 if w == "rainy" else 0)  # rain drives people indoors
                + rng.normal(0, 8)
            )
            coffees = max(int(round(coffees)), 0)
            cakes = int(rng.poisson(0.3 * coffees))
            revenue = coffees * 3.20 + cakes * 2.80 + rng.normal(0, 5)
            rows.append(
                {
                    "date": date.strftime("%Y-%m-%d"),
                    "shop": shop,
                    "weather": w,
                    "temperature_c": temp,
                    "coffees": coffees,
                    "cakes": cakes,
                    "revenue": f"{revenue:.2f}",
                }
            )
    df = pd.DataFrame(rows)

    # --- make it messy -------------------------------------------------------
    n = len(df)
    variants = {
        "Harbour": ["harbour", "HARBOUR", " Harbour", "Harbour "],
        "Station": ["station", "STATION", "Station "],
        "Park": ["park", " park", "PARK "],
    }
    shop = df["shop"].tolist()
    for i in rng.choice(n, size=14, replace=False):
        shop[i] = rng.choice(variants[shop[i]])
    df["shop"] = shop

    revenue = df["revenue"].tolist()
    for i, junk in zip(rng.choice(n, size=5, replace=False), ["unknown", "-", "unknown", "?", ""]):
        revenue[i] = junk
    df["revenue"] = revenue

    cakes = df["cakes"].to_numpy(dtype=float, copy=True)
    cakes[rng.choice(n, size=6, replace=False)] = np.nan
    df["cakes"] = pd.array(cakes).astype("Int64")

    temps = df["temperature_c"].to_numpy(dtype=float, copy=True)
    temps[rng.choice(n, size=2, replace=False)] = np.nan
    df["temperature_c"] = temps

    # Two rows were accidentally entered twice.
    for i in sorted(rng.choice(n, size=2, replace=False), reverse=True):
        df = pd.concat([df.iloc[: i + 1], df.iloc[[i]], df.iloc[i + 1 :]])
    return df.reset_index(drop=True)


if __name__ == "__main__":
    sales = make_sales()
    sales.to_csv(OUT, index=False)
    print(f"wrote {len(sales)} rows to {OUT}")
