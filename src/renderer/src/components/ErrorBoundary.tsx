import { Component, type ReactNode } from 'react';

/** A render error shows as a message with a way back, never a blank page. */
export class ErrorBoundary extends Component<{ children: ReactNode }, { error: Error | null }> {
  override state = { error: null as Error | null };

  static getDerivedStateFromError(error: Error) {
    return { error };
  }

  override render() {
    if (!this.state.error) return this.props.children;
    return (
      <main className="fatal" role="alert">
        <h1>Something went wrong in this view</h1>
        <p>{this.state.error.message}</p>
        <p>Your labels are saved as you make them, so nothing is lost. Reload to continue.</p>
        <button type="button" onClick={() => location.reload()}>
          Reload
        </button>
      </main>
    );
  }
}
