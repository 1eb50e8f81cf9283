using Imsa.Network.Reference;

namespace Imsa.Network.Partners.Tests;

public sealed class ReceiverCapacityTests
{
    private static readonly DateOnly Today = new(2026, 3, 2);

    [Fact]
    public void IsPausedOn_BeforeTheDayItResumes()
    {
        var capacity = new ReceiverCapacity(true, null, Today.AddDays(1));

        capacity.IsPausedOn(Today).Should().BeTrue();
    }

    [Fact]
    public void IsPausedOn_TheDayItResumes_AndAfter_IsFalse()
    {
        var capacity = new ReceiverCapacity(true, null, Today);

        capacity.IsPausedOn(Today).Should().BeFalse();
        capacity.IsPausedOn(Today.AddDays(1)).Should().BeFalse();
    }

    [Fact]
    public void IsPausedOn_WithoutPause_IsFalse()
    {
        new ReceiverCapacity(true, null, null).IsPausedOn(Today).Should().BeFalse();
    }

    [Theory]
    [InlineData(3, 3)]
    [InlineData(3, 4)]
    [InlineData(0, 0)]
    public void IsFullWith_AtOrOverItsMaximum(int max, int open)
    {
        new ReceiverCapacity(true, max, null).IsFullWith(open).Should().BeTrue();
    }

    [Fact]
    public void IsFullWith_BelowItsMaximum_IsFalse()
    {
        new ReceiverCapacity(true, 3, null).IsFullWith(2).Should().BeFalse();
    }

    [Fact]
    public void IsFullWith_WithoutMaximum_IsNeverTrue()
    {
        new ReceiverCapacity(true, null, null).IsFullWith(int.MaxValue).Should().BeFalse();
    }

    [Fact]
    public void TakesNewHandover_WhenAcceptingNotPausedAndBelowItsMaximum()
    {
        new ReceiverCapacity(true, 3, Today).TakesNewHandover(2, Today).Should().BeTrue();
    }

    [Fact]
    public void TakesNewHandover_NotWhenNotAccepting()
    {
        new ReceiverCapacity(false, null, null).TakesNewHandover(0, Today).Should().BeFalse();
    }

    [Fact]
    public void TakesNewHandover_NotWhenPaused()
    {
        new ReceiverCapacity(true, null, Today.AddDays(1)).TakesNewHandover(0, Today).Should().BeFalse();
    }

    [Fact]
    public void TakesNewHandover_NotWhenFull()
    {
        new ReceiverCapacity(true, 3, null).TakesNewHandover(3, Today).Should().BeFalse();
    }

    [Fact]
    public void Open_AcceptsWithoutLimitOrPause()
    {
        ReceiverCapacity.Open.Should().Be(new ReceiverCapacity(true, null, null));
        ReceiverCapacity.Open.TakesNewHandover(10_000, Today).Should().BeTrue();
    }
}
