//! UTC calendar dates in eval arithmetic (Howard Hinnant's days-to-civil, its shared subterms
//! in helper fields): `startofmonth`, `getmonth`, `getyear`.

use super::time::fdiv;
use super::Tx;
use crate::ast::Eval;

/// Parts of a UTC civil date (see [`Tx::civil`]): day number since the epoch, 400-year era,
/// year of the era, day of the March-based year (0 = March 1).
struct Civil {
    days: Eval,
    era: Eval,
    yoe: Eval,
    doy: Eval,
}

impl Tx {
    /// The UTC civil date of the epoch time `t` by Howard Hinnant's days-to-civil algorithm
    /// (proleptic Gregorian), with the shared subterms in helper fields: the day number since
    /// the epoch, the day of the 400-year era, the year of the era and the day of the
    /// March-based year.
    fn civil(&mut self, t: Eval) -> Civil {
        let num = |n: &str| Eval::Num(n.into());
        let days = self.helper(fdiv(t, "86400"));
        let z = Eval::bin(" + ", days.clone(), num("719468"));
        let era = fdiv(z.clone(), "146097");
        let doe = self.helper(Eval::bin(
            " - ",
            z,
            Eval::bin(" * ", era.clone(), num("146097")),
        ));
        let yoe = self.helper(fdiv(
            Eval::bin(
                " - ",
                Eval::bin(
                    " + ",
                    Eval::bin(" - ", doe.clone(), fdiv(doe.clone(), "1460")),
                    fdiv(doe.clone(), "36524"),
                ),
                fdiv(doe.clone(), "146096"),
            ),
            "365",
        ));
        let doy = self.helper(Eval::bin(
            " - ",
            doe,
            Eval::bin(
                " - ",
                Eval::bin(
                    " + ",
                    Eval::bin(" * ", num("365"), yoe.clone()),
                    fdiv(yoe.clone(), "4"),
                ),
                fdiv(yoe.clone(), "100"),
            ),
        ));
        Civil {
            days,
            era,
            yoe,
            doy,
        }
    }

    /// The first instant of the UTC month holding the epoch time `t`: its day number minus its
    /// day of the month.
    pub(super) fn start_of_month(&mut self, t: Eval) -> Eval {
        let num = |n: &str| Eval::Num(n.into());
        let c = self.civil(t);
        let day_of_month0 = Eval::bin(
            " - ",
            c.doy.clone(),
            fdiv(
                Eval::bin(
                    " + ",
                    Eval::bin(" * ", num("153"), c.month_index()),
                    num("2"),
                ),
                "5",
            ),
        );
        Eval::bin(" * ", Eval::bin(" - ", c.days, day_of_month0), num("86400"))
    }

    /// `getmonth(t)` (1–12) or `getyear(t)` of the UTC date.
    pub(super) fn month_or_year(&mut self, t: Eval, year: bool) -> Eval {
        let num = |n: &str| Eval::Num(n.into());
        let c = self.civil(t);
        let mp = self.helper(c.month_index());
        if !year {
            // March-based month index 0–11 → calendar month.
            return Eval::call(
                "if",
                vec![
                    Eval::bin("<", mp.clone(), num("10")),
                    Eval::bin(" + ", mp.clone(), num("3")),
                    Eval::bin(" - ", mp, num("9")),
                ],
            );
        }
        // January and February belong to the next calendar year of the March-based year.
        Eval::bin(
            " + ",
            Eval::bin(" + ", c.yoe, Eval::bin(" * ", c.era, num("400"))),
            Eval::call(
                "if",
                vec![Eval::bin(">=", mp, num("10")), num("1"), num("0")],
            ),
        )
    }
}

impl Civil {
    /// The month of the March-based year, 0 (March) to 11 (February).
    fn month_index(&self) -> Eval {
        fdiv(
            Eval::bin(
                " + ",
                Eval::bin(" * ", Eval::Num("5".into()), self.doy.clone()),
                Eval::Num("2".into()),
            ),
            "153",
        )
    }
}
