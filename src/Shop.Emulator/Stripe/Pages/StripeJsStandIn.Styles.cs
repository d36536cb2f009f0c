namespace Shop.Emulator.Stripe;

internal static partial class StripeJsStandIn
{
    private const string Styles = """
        /* Stripe emulator: styles for the Payment Element stand-in and the emulator's own pages. */
        .se-payment { --se-color-primary: #635bff; --se-color-danger: #df1b41; --se-radius: 6px;
          --se-font: -apple-system, BlinkMacSystemFont, "Segoe UI", Roboto, sans-serif;
          display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); gap: 12px; font-family: var(--se-font); font-size: 15px; }
        /* Fits any width, as Stripe's own element does on a phone. */
        .se-field { display: flex; flex-direction: column; gap: 4px; min-width: 0; }
        .se-field-number { grid-column: 1 / -1; }
        .se-label { color: #30313d; font-size: 14px; }
        .se-input { border: 1px solid #e6e6e6; border-radius: var(--se-radius); padding: 10px 12px; font: inherit; min-width: 0; box-sizing: border-box;
          box-shadow: 0 1px 3px rgba(0,0,0,.05); outline: none; }
        .se-input:focus { border-color: var(--se-color-primary); box-shadow: 0 0 0 3px rgba(99,91,255,.25); }
        .se-input.se-invalid { border-color: var(--se-color-danger); color: var(--se-color-danger); }
        .se-error { color: var(--se-color-danger); font-size: 13px; min-height: 1em; margin: 0; }
        .se-error:empty { display: none; }
        .se-badge { grid-column: 1 / -1; font-size: 12px; color: #6d6e78; margin: 0; }
        .se-page { font-family: -apple-system, BlinkMacSystemFont, "Segoe UI", Roboto, sans-serif; margin: 2rem; color: #30313d; }
        .se-muted { color: #6d6e78; }
        .se-challenge { max-width: 28rem; border: 1px solid #e6e6e6; border-radius: 8px; padding: 1.5rem; }
        .se-challenge-brand { font-weight: 600; }
        .se-button { border: 0; border-radius: 6px; padding: 10px 16px; font: inherit; cursor: pointer; margin: .25rem .5rem .25rem 0; color: #fff; }
        .se-button-primary { background: #635bff; }
        .se-button-danger { background: #df1b41; }
        .se-table { border-collapse: collapse; width: 100%; font-size: 14px; }
        .se-table th, .se-table td { border-bottom: 1px solid #e6e6e6; padding: 6px 8px; text-align: left; vertical-align: top; }
        .se-attempts { margin: 0; padding-left: 1.5rem; }
        .se-status-succeeded { color: #0a7d38; }
        .se-status-failed, .se-status-retrying { color: #df1b41; }
        """;
}
