using Sluice.Alerts;

namespace Sluice.Tests.Alerts;

/// <summary>The rules on exact instants: the edges of freshness, the SLA deadline and its window, daylight saving.</summary>
public sealed class AlertRulesTests
{
    private static DateTimeOffset Utc(string text) => DateTimeOffset.Parse(text + "Z", System.Globalization.CultureInfo.InvariantCulture);

    private static readonly TimeZoneInfo Paris = TimeZoneInfo.FindSystemTimeZoneById("Europe/Paris");

    [Fact]
    public void Freshness_is_kept_up_to_its_limit_and_missed_just_past_it()
    {
        var newest = Utc("2026-01-10T08:00:00");
        var limit = TimeSpan.FromHours(2);

        var inside = AlertRules.Freshness(AlertSubjectKind.Flow, "f", limit, newest, Utc("2026-01-01T00:00:00"), newest + limit);
        var past = AlertRules.Freshness(AlertSubjectKind.Flow, "f", limit, newest, Utc("2026-01-01T00:00:00"), newest + limit + TimeSpan.FromMilliseconds(1));

        Assert.Null(inside);
        Assert.NotNull(past);
        Assert.Equal((AlertKind.Freshness, newest + limit, newest), (past.Kind, past.DueAt, past.ObservedAt));
        Assert.Equal("freshness:flow:f:2026-01-10T08:00:00.0000000+00:00", past.Key);
        Assert.Equal("flow 'f' is stale: its newest data (succeeded run ended 2026-01-10 08:00:00Z) are 2h old, more than its freshness 2h", past.Detail);
    }

    [Fact]
    public void Newer_data_after_a_miss_make_a_later_staleness_a_new_miss_with_its_own_key()
    {
        var limit = TimeSpan.FromHours(1);
        var first = AlertRules.Freshness(AlertSubjectKind.Pipeline, "p", limit, Utc("2026-01-10T08:00:00"), Utc("2026-01-01T00:00:00"), Utc("2026-01-10T10:00:00"))!;
        var second = AlertRules.Freshness(AlertSubjectKind.Pipeline, "p", limit, Utc("2026-01-10T11:00:00"), Utc("2026-01-01T00:00:00"), Utc("2026-01-10T13:00:00"))!;

        Assert.NotEqual(first.Key, second.Key);
    }

    [Fact]
    public void A_subject_without_data_is_judged_from_when_it_was_first_watched()
    {
        var since = Utc("2026-01-10T08:00:00");
        var limit = TimeSpan.FromMinutes(30);

        Assert.Null(AlertRules.Freshness(AlertSubjectKind.Flow, "f", limit, null, since, since + limit));
        var miss = AlertRules.Freshness(AlertSubjectKind.Flow, "f", limit, null, since, since + limit + TimeSpan.FromSeconds(1));
        Assert.Equal("freshness:flow:f:none", miss?.Key);
    }

    [Fact]
    public void An_SLA_is_judged_at_its_deadline_not_before()
    {
        var sla = new SlaDeadline(new TimeOnly(6, 0), TimeZoneInfo.Utc);
        var since = Utc("2026-01-01T00:00:00");

        var before = Utc("2026-01-10T05:59:59");
        var at = Utc("2026-01-10T06:00:00");
        var missBefore = AlertRules.Sla(AlertSubjectKind.Flow, "f", sla, sla.LatestAtOrBefore(before), Utc("2026-01-09T05:00:00"), since, before);
        var missAt = AlertRules.Sla(AlertSubjectKind.Flow, "f", sla, sla.LatestAtOrBefore(at), Utc("2026-01-09T05:00:00"), since, at);

        Assert.Null(missBefore); // the deadline judged is the 9th's, which the success on the 9th met
        Assert.NotNull(missAt);
        Assert.Equal(("sla:flow:f:2026-01-10", at), (missAt.Key, missAt.DueAt));
        Assert.Equal("flow 'f' missed its SLA: no run succeeded by 06:00 UTC on 2026-01-10 (deadline 2026-01-10 06:00:00Z); its last success ended 2026-01-09 05:00:00Z", missAt.Detail);
    }

    [Fact]
    public void A_success_since_the_previous_deadline_keeps_the_day_and_one_at_the_deadline_counts()
    {
        var sla = new SlaDeadline(new TimeOnly(6, 0), TimeZoneInfo.Utc);
        var deadline = Utc("2026-01-10T06:00:00");
        var since = Utc("2026-01-01T00:00:00");

        Assert.Null(AlertRules.Sla(AlertSubjectKind.Flow, "f", sla, deadline, Utc("2026-01-09T06:00:01"), since, deadline));
        Assert.Null(AlertRules.Sla(AlertSubjectKind.Flow, "f", sla, deadline, deadline, since, deadline));
        // Ended at the previous deadline: it counted for that day, not for this one.
        Assert.NotNull(AlertRules.Sla(AlertSubjectKind.Flow, "f", sla, deadline, Utc("2026-01-09T06:00:00"), since, deadline));
    }

    [Fact]
    public void A_deadline_before_the_subject_was_watched_is_not_judged()
    {
        var sla = new SlaDeadline(new TimeOnly(6, 0), TimeZoneInfo.Utc);
        var deadline = Utc("2026-01-10T06:00:00");

        Assert.Null(AlertRules.Sla(AlertSubjectKind.Flow, "f", sla, deadline, null, Utc("2026-01-10T07:00:00"), Utc("2026-01-10T08:00:00")));
    }

    [Fact]
    public void On_daylight_saving_days_a_skipped_deadline_is_the_end_of_the_gap_and_a_repeated_one_its_first_occurrence()
    {
        var sla = new SlaDeadline(new TimeOnly(2, 30), Paris);

        Assert.Equal(Utc("2026-03-29T01:00:00"), sla.On(new DateOnly(2026, 3, 29))); // 02:30 does not exist: 03:00 CEST
        Assert.Equal(Utc("2026-10-25T00:30:00"), sla.On(new DateOnly(2026, 10, 25))); // 02:30 CEST, not 02:30 CET
        Assert.Equal(Utc("2026-01-10T01:30:00"), sla.On(new DateOnly(2026, 1, 10)));
    }

    [Fact]
    public void The_window_of_a_spring_forward_day_is_the_23_hours_since_the_previous_deadline()
    {
        var sla = new SlaDeadline(new TimeOnly(6, 0), Paris);
        var deadline = sla.On(new DateOnly(2026, 3, 29));
        var since = Utc("2026-01-01T00:00:00");

        Assert.Equal(Utc("2026-03-29T04:00:00"), deadline);
        Assert.Equal(TimeSpan.FromHours(23), deadline - sla.On(new DateOnly(2026, 3, 28)));
        Assert.Null(AlertRules.Sla(AlertSubjectKind.Flow, "f", sla, deadline, Utc("2026-03-28T05:00:01"), since, deadline));
        var miss = AlertRules.Sla(AlertSubjectKind.Flow, "f", sla, deadline, Utc("2026-03-28T04:59:59"), since, deadline);
        Assert.Equal("sla:flow:f:2026-03-29", miss?.Key);
    }
}
